/**
 * The messages between the app and the engine's Web Worker (src/worker.ts). Plain, serialisable
 * data only: configs go in, backend choice, progress, reports, bands and errors come out.
 *
 * A run is one or more compared configs (variants), each on K seeds: every lane (variant × seed)
 * is its own experiment, and everything a lane posts names its variant and seed index. Every run
 * has a `runId` chosen by the app; the worker stamps it on everything it posts, so the app can
 * drop late messages from a run it has already stopped or replaced.
 *
 * What reaches the worker is checked against `toWorkerSchema` before anything runs: the app is
 * not the only thing that can post to a worker.
 */
import { z } from 'zod';
import type { BackendChoice } from './backend';
import { MAX_CONFIGS, MAX_SEEDS } from './config/compareVariants';
import { experimentConfigSchema } from './config/schema';
import type { ExperimentEvent, Phase } from './report';
import type { IterationBands } from './reportSeries';

export const runModeSchema = z.enum(['run', 'step']);
export type RunMode = z.infer<typeof runModeSchema>;

const runIdSchema = z.number().int().nonnegative();

const startSchema = z
  .object({
    type: z.literal('start'),
    runId: runIdSchema,
    /** The compared configs, the base first; one for a plain run. */
    variants: z.array(experimentConfigSchema).min(1).max(MAX_CONFIGS),
    /** Seeds each config runs on: its own seed, +1, … */
    seeds: z.number().int().min(1).max(MAX_SEEDS),
    /** `step`: run to every lane's first report, then pause. */
    mode: runModeSchema,
  })
  .strict()
  .refine(
    (start) => start.variants.every((config) => config.backend === start.variants[0].backend),
    { message: 'every compared config runs on one backend', path: ['variants'] },
  );

export const toWorkerSchema = z.union([
  startSchema,
  /** Stops pulling events after the current one. */
  z.object({ type: z.literal('pause') }).strict(),
  /** `variants`: after a divergence, the configs to go on with (knobs the user changed). */
  z
    .object({
      type: z.literal('resume'),
      variants: z.array(experimentConfigSchema).min(1).max(MAX_CONFIGS).optional(),
    })
    .strict(),
  /**
   * Live knobs changed (src/config/knobs.ts): every running lane goes on with its config's new
   * values from the first iteration none of them has begun. One config per compared config, the
   * base first, as in `start`.
   */
  z
    .object({
      type: z.literal('change'),
      variants: z.array(experimentConfigSchema).min(1).max(MAX_CONFIGS),
    })
    .strict(),
  /**
   * The page is open on this config with no run going: choose its backend now (under auto, by
   * timing this config's workload), so that Play need not wait for it. Ignored while a run exists.
   */
  z.object({ type: z.literal('prepare'), config: experimentConfigSchema }).strict(),
  /** Lets every running lane produce one more report, then pauses. */
  z.object({ type: z.literal('step') }).strict(),
  /** Ends the run: every experiment's generator is returned, which frees its tensors. */
  z.object({ type: z.literal('stop') }).strict(),
]);

export type ToWorker = z.infer<typeof toWorkerSchema>;

/** How often the worker says it is alive while a run exists (see the `heartbeat` message). */
export const HEARTBEAT_MS = 1_000;
export type StartMessage = z.infer<typeof startSchema>;

/**
 * `pausing`: a pause was asked for and the event in flight (a phase, perhaps a report) is still
 * completing; `paused` once the run waits between two events.
 */
export type RunStatus =
  'starting' | 'running' | 'pausing' | 'paused' | 'done' | 'stopped' | 'failed';

/** Where an error happened: a phase of the loop, choosing the backend, or building the run. */
export type ErrorStage = Phase | 'backend' | 'setup';

/** Which experiment of the run a message is about. */
export interface LaneId {
  readonly variant: number;
  readonly seedIndex: number;
}

export type FromWorker =
  | { readonly type: 'backend'; readonly runId: number; readonly choice: BackendChoice }
  /** The answer to `prepare`: the backend a run of that config will start on. */
  | { readonly type: 'prepared'; readonly wanted: string; readonly choice: BackendChoice }
  | { readonly type: 'status'; readonly runId: number; readonly status: RunStatus }
  /**
   * One of a lane's engine events, as the loop made it (src/report.ts's ExperimentEvent): a phase
   * with its progress, a report, a divergence (the lane went back to its last good state and the
   * run paused; `resume` retries the iteration, with changed knobs if it carries them), or a
   * backend fallback (the engine moved to another backend, preceded by its new `backend` choice;
   * every lane follows, nothing pauses).
   */
  | {
      readonly type: 'event';
      readonly runId: number;
      readonly lane: LaneId;
      readonly event: ExperimentEvent;
    }
  /** One iteration of one config over its seeds, once every seed still running has reported it. */
  | {
      readonly type: 'bands';
      readonly runId: number;
      readonly variant: number;
      readonly bands: IterationBands;
    }
  /**
   * Posted every HEARTBEAT_MS while a run exists and the worker's thread is free: a killed worker
   * sends no error event, so the app tells a dead engine from a busy one by its silence.
   */
  | { readonly type: 'heartbeat'; readonly runId: number }
  /** A lane ran all its iterations. */
  | { readonly type: 'laneDone'; readonly runId: number; readonly lane: LaneId }
  /**
   * `lane` null: the whole run failed (the backend, a malformed message). Otherwise that lane
   * stopped and the others go on; the run fails only when every lane has.
   */
  | {
      readonly type: 'error';
      readonly runId: number;
      readonly lane: LaneId | null;
      readonly message: string;
      readonly phase: ErrorStage;
    };
