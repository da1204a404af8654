/**
 * Recovery around the iterations: a divergence goes back to the last good iteration and pauses,
 * a failing backend hands the run to the next one, and live knob changes wait for the iteration
 * after the one they were given in. The run itself (experiment.ts) knows nothing of it.
 */
import * as tf from '@tensorflow/tfjs';
import type { ExperimentConfig } from '../config/schema';
import type { KnobChange } from '../config/knobs';
import { DivergenceError } from '../divergence';
import type { BackendFallbackEvent, ExperimentEvent } from '../report';

/** What a run gives the recovery. */
export interface RecoverableRun {
  readonly iterations: number;
  readonly currentConfig: ExperimentConfig;
  /** The backend its learners live on. */
  readonly backend: string;
  iterate(iteration: number): AsyncGenerator<ExperimentEvent, void, unknown>;
  /** Keeps the learners as they are now (host memory). */
  saveLastGood(): Promise<void>;
  restoreLastGood(): void;
  /** Resumes after a divergence with `next`; the knobs that changed. */
  rebuild(next: ExperimentConfig): KnobChange[];
  /** Goes on with `next` (live knobs changed); the knobs that changed. */
  applyLive(next: ExperimentConfig): KnobChange[];
  /** Moves to the next backend that starts (the one in use failed with `message`). */
  fallBack(
    iteration: number,
    message: string,
    failed: Map<string, string>,
    cause: unknown,
  ): Promise<BackendFallbackEvent>;
  /** Follows another run of this thread to the backend it moved to. */
  follow(iteration: number): Promise<BackendFallbackEvent>;
  dispose(): void;
}

/**
 * The run's events, recovered: on a divergence (a NaN or Inf where a figure must be finite) the
 * learners go back to their state after the last good iteration and a `diverged` event names the
 * phase and the likely cause; the consumer pauses there. Its next `next(config)` resumes by
 * retrying the iteration, with the config changed (knobs that need no restart) or, with
 * `next()`, unchanged.
 *
 * A live change: `next(config)` after any other event of iteration k goes on with `config` from
 * iteration k + 1 (the last one given before then counts); the first report made with it lists
 * what changed in `changes`, as does the report of an iteration retried with changed knobs.
 *
 * Any other error inside an iteration is taken for the backend's (a lost GPU device, a kernel that
 * throws): the run moves to the next backend that starts, rebuilds its learners there from the
 * last good iteration, says so in a `backendFallback` event and retries the iteration, without
 * pausing. Each backend is left at most once. An error that comes back on the new backend, the
 * same in the same iteration, is the code's and not a backend's: it ends the run.
 */
export async function* recovering(
  start: () => RecoverableRun,
  failedBackends: Map<string, string>,
): AsyncGenerator<ExperimentEvent, void, ExperimentConfig | undefined> {
  const run = start();
  try {
    await run.saveLastGood();
    let iteration = 0;
    let lastFallback: { iteration: number; message: string; failed: string } | null = null;
    /** A live change given during iteration `after`, for the next iteration's start. */
    let pending = null as { config: ExperimentConfig; after: number } | null;
    /** Knob changes this iteration runs with, for its report. */
    let changes: KnobChange[] = [];
    const given = (config: ExperimentConfig | undefined) => {
      if (config !== undefined) pending = { config, after: iteration };
    };
    while (iteration < run.iterations) {
      if (pending !== null && iteration > pending.after) {
        changes = [...changes, ...run.applyLive(pending.config)];
        pending = null;
        // Fewer iterations than already run: the run ends here.
        if (iteration >= run.iterations) break;
      }
      try {
        // Another run in this thread left a failed backend: follow it before touching a tensor.
        if (run.backend !== tf.getBackend()) given(yield await run.follow(iteration));
        const events = run.iterate(iteration);
        try {
          for (let step = await events.next(); step.done !== true; step = await events.next()) {
            let event = step.value;
            if (event.kind === 'report' && changes.length > 0) {
              event = { ...event, report: { ...event.report, changes } };
              changes = [];
            }
            given(yield event);
          }
        } finally {
          await events.return(undefined);
        }
        iteration++;
      } catch (error) {
        if (error instanceof DivergenceError) {
          run.restoreLastGood();
          const { phase, figure, likelyCause, message } = error;
          const changed = yield {
            kind: 'diverged',
            iteration,
            phase,
            figure,
            likelyCause,
            message,
          };
          changes = [...changes, ...run.rebuild(changed ?? run.currentConfig)];
          continue;
        }
        const message = errorMessage(error);
        if (
          lastFallback !== null &&
          lastFallback.iteration === iteration &&
          lastFallback.message === message
        ) {
          throw new Error(
            `${message} (it happened again on ${run.backend} after ${lastFallback.failed} failed with it: not a backend fault)`,
            { cause: error },
          );
        }
        const event = await run.fallBack(iteration, message, failedBackends, error);
        lastFallback = { iteration, message, failed: event.failed };
        given(yield event);
      }
    }
  } finally {
    run.dispose();
  }
}

function errorMessage(error: unknown): string {
  return error instanceof Error ? error.message || error.name : String(error);
}
