/**
 * Several experiments in one thread, taking turns: each lane's loop advances by one event (a
 * phase step or a report) before the next lane's does, so compared configs and seeds move
 * together and the charts fill in side by side.
 *
 * Pausing is not pulling: between two events the run waits on a gate that `resume` or `step`
 * opens. A step lets every running lane produce one more report, then pauses. A lane that throws
 * ends alone (its error goes to the listener) while the others go on. Stopping, or the end of the
 * run, returns every lane's generator, whose `finally` frees that experiment's tensors.
 */
import type { ExperimentConfig } from '../config/schema';
import type { ExperimentEvent, Phase } from '../report';
import type { Lane } from './lanes';

/** Where a lane failed: a phase of its loop, or building the experiment. */
export type LaneStage = Phase | 'setup';

export interface RunListener {
  event(lane: Lane, event: ExperimentEvent): void;
  laneDone(lane: Lane): void;
  laneFailed(lane: Lane, message: string, stage: LaneStage): void;
  /** A step is complete and the run paused (before it is `parked`). */
  stepDone?(): void;
  /**
   * The run has stopped between two events and waits (after a pause, a step or a divergence).
   * A pause asked for mid-event takes effect only here: the event in flight still completes.
   */
  parked(): void;
}

export type OpenExperiment = (
  config: ExperimentConfig,
) => AsyncGenerator<ExperimentEvent, void, ExperimentConfig | undefined>;

/** A diverged lane's config on resume (knobs changed meanwhile), or undefined to retry as it was. */
export type ResumeConfig = (lane: Lane) => ExperimentConfig | undefined;

export type RunOutcome = 'done' | 'stopped' | 'failed';

export interface InterleavedRunOptions {
  /** Run to every lane's first report, then pause. */
  readonly step?: boolean;
  /**
   * Awaited before each event, so messages (pause, stop) queued meanwhile are handled: the
   * loop is otherwise all microtasks. The worker yields a task here; tests may yield less.
   */
  readonly betweenEvents?: () => Promise<void>;
}

interface LaneState {
  readonly lane: Lane;
  events: AsyncGenerator<ExperimentEvent, void, ExperimentConfig | undefined> | null;
  /** The lane diverged and waits for a resume; what to hand its loop when it does. */
  diverged: boolean;
  resumeWith: ExperimentConfig | undefined;
  stage: LaneStage;
  ended: 'done' | 'failed' | null;
  reportedThisStep: boolean;
}

function messageOf(caught: unknown): string {
  if (caught instanceof Error) return caught.message || caught.name;
  return String(caught);
}

export class InterleavedRun {
  private readonly states: LaneState[];
  private paused = false;
  private stepping: boolean;
  private stopped = false;
  private wake: (() => void) | null = null;
  private readonly betweenEvents: () => Promise<void>;

  constructor(
    lanes: readonly Lane[],
    private readonly open: OpenExperiment,
    private readonly listener: RunListener,
    options: InterleavedRunOptions = {},
  ) {
    this.states = lanes.map((lane) => ({
      lane,
      events: null,
      stage: 'setup',
      ended: null,
      reportedThisStep: false,
      diverged: false,
      resumeWith: undefined,
    }));
    this.stepping = options.step === true;
    this.betweenEvents = options.betweenEvents ?? (() => Promise.resolve());
  }

  get isPaused(): boolean {
    return this.paused;
  }

  get isStopped(): boolean {
    return this.stopped;
  }

  /** Stops after the current event; false if it was already paused or over. */
  pause(): boolean {
    if (this.paused || this.stopped) return false;
    this.paused = true;
    this.stepping = false;
    return true;
  }

  /**
   * Goes on (without pausing again); false if it was not paused. Diverged lanes retry their
   * iteration, with `configs(lane)` if it gives one (the loop refuses knobs that need a new run).
   */
  resume(configs?: ResumeConfig): boolean {
    for (const state of this.states) {
      if (!state.diverged) continue;
      state.diverged = false;
      state.resumeWith = configs?.(state.lane);
    }
    this.stepping = false;
    return this.unpause();
  }

  /** Lets every running lane produce one more report, then pauses; true if it was paused. */
  step(): boolean {
    this.stepping = true;
    for (const state of this.states) state.reportedThisStep = false;
    return this.unpause();
  }

  stop(): void {
    this.stopped = true;
    this.wake?.();
  }

  async run(): Promise<RunOutcome> {
    try {
      while (!this.stopped) {
        const running = this.states.filter((state) => state.ended === null);
        if (running.length === 0) break;
        for (const state of running) {
          await this.betweenEvents();
          await this.gate();
          if (this.stopped) break;
          if (state.ended !== null || (this.stepping && state.reportedThisStep)) continue;
          await this.pull(state);
          if (this.stepping && this.stepComplete()) {
            this.stepping = false;
            this.paused = true;
            this.listener.stepDone?.();
          }
        }
      }
    } finally {
      await this.closeAll();
    }
    if (this.stopped) return 'stopped';
    return this.states.every((state) => state.ended === 'failed') ? 'failed' : 'done';
  }

  private unpause(): boolean {
    if (!this.paused) return false;
    this.paused = false;
    this.wake?.();
    return true;
  }

  private async gate(): Promise<void> {
    if (this.paused && !this.stopped) this.listener.parked();
    while (this.paused && !this.stopped) {
      await new Promise<void>((resolve) => {
        this.wake = resolve;
      });
      this.wake = null;
    }
  }

  private stepComplete(): boolean {
    return this.states.every((state) => state.ended !== null || state.reportedThisStep);
  }

  private async pull(state: LaneState): Promise<void> {
    const { lane } = state;
    let next: IteratorResult<ExperimentEvent, void>;
    try {
      state.events ??= this.open(lane.config);
      const resumeWith = state.resumeWith;
      state.resumeWith = undefined;
      next = await state.events.next(resumeWith);
    } catch (caught) {
      state.ended = 'failed';
      this.listener.laneFailed(lane, messageOf(caught), state.stage);
      return;
    }
    if (next.done === true) {
      state.ended = 'done';
      this.listener.laneDone(lane);
      return;
    }
    const event = next.value;
    if (event.kind === 'phase') state.stage = event.phase;
    else if (event.kind === 'report') state.reportedThisStep = true;
    else if (event.kind === 'diverged') {
      // The lane's loop went back to its last good state: everything waits for the user.
      state.diverged = true;
      this.paused = true;
      this.stepping = false;
    }
    // A backend fallback needs nobody: the lane's loop has already moved on, the listener says so.
    this.listener.event(lane, event);
  }

  /** Frees the tensors of lanes that ended early; a no-op for finished or failed generators. */
  private async closeAll(): Promise<void> {
    for (const state of this.states) {
      if (state.events === null) continue;
      try {
        await state.events.return(undefined);
      } catch (caught) {
        this.listener.laneFailed(
          state.lane,
          `while freeing the run: ${messageOf(caught)}`,
          state.stage,
        );
      }
    }
  }
}
