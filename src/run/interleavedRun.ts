/**
 * Several experiments in one thread, taking turns: each lane's loop advances by one event (a
 * phase step or a report) before the next lane's does, so compared configs and seeds move
 * together and the charts fill in side by side.
 *
 * Pausing is not pulling: between two events the run waits on a gate that `resume` or `step`
 * opens. A live change (`change`) is handed to every lane at the same iteration's start: the
 * first iteration none of them has begun, so compared configs and seeds change together and the
 * run has one schedule of changes. A step lets every running lane produce one more report, then pauses. A lane that throws
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
  /** The iteration of the lane's last event; -1 before its first. */
  iteration: number;
  /** Its last event was a divergence: what its loop is handed next is the retry's config. */
  atDivergence: boolean;
  /** Live changes waiting for the lane to reach their iteration, in order. */
  changes: { at: number; config: ExperimentConfig }[];
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
      iteration: -1,
      atDivergence: false,
      changes: [],
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

  /**
   * A live change: each running lane goes on with `configs(lane)` from iteration `at`, the first
   * that no lane has begun (at least 1: iteration 0 is under way once the run has started), and
   * which is returned. A lane behind runs up to it with its config as it was. A later change for
   * the same iteration replaces an earlier one; null if no lane is running.
   */
  change(configs: ResumeConfig): number | null {
    const running = this.states.filter((state) => state.ended === null);
    if (running.length === 0) return null;
    const at = Math.max(1, ...running.map((state) => state.iteration + 1));
    for (const state of running) {
      const config = configs(state.lane);
      if (config === undefined) continue;
      state.changes = [...state.changes.filter((change) => change.at !== at), { at, config }];
    }
    return at;
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
      next = await state.events.next(this.given(state));
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
    if (event.kind === 'report') state.iteration = event.report.iteration;
    else state.iteration = event.iteration;
    state.atDivergence = event.kind === 'diverged';
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

  /**
   * What the lane's loop is handed with its next pull: the config to retry a diverged iteration
   * with, or a live change once the lane is in the iteration before the change's (the loop takes
   * a config given during iteration k from k + 1 on).
   */
  private given(state: LaneState): ExperimentConfig | undefined {
    if (state.resumeWith !== undefined) {
      const config = state.resumeWith;
      state.resumeWith = undefined;
      return config;
    }
    const due = state.changes[0];
    if (due === undefined || state.atDivergence || state.iteration !== due.at - 1) return undefined;
    state.changes.shift();
    return due.config;
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
