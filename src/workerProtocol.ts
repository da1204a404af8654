/**
 * The messages between the app and the engine's Web Worker (src/worker.ts). Plain, serialisable
 * data only: a config goes in, backend choice, progress, reports and errors come out.
 *
 * Every run has a `runId` chosen by the app; the worker stamps it on everything it posts, so the
 * app can drop late messages from a run it has already stopped or replaced.
 */
import type { BackendChoice } from './backend';
import type { ExperimentConfig } from './config/schema';
import type { IterationReport, Phase } from './report';

export type RunMode = 'run' | 'step';

export type ToWorker =
  /** Starts a run (stopping any current one). `step`: run to the first report, then pause. */
  | {
      readonly type: 'start';
      readonly runId: number;
      readonly config: ExperimentConfig;
      readonly mode: RunMode;
    }
  /** Stops pulling events after the current one. */
  | { readonly type: 'pause' }
  | { readonly type: 'resume' }
  /** Runs to the next report, then pauses. */
  | { readonly type: 'step' }
  /** Ends the run: the experiment's generator is returned, which frees its tensors. */
  | { readonly type: 'stop' };

export type RunStatus = 'starting' | 'running' | 'paused' | 'done' | 'stopped' | 'failed';

/** Where an error happened: a phase of the loop, choosing the backend, or building the run. */
export type ErrorStage = Phase | 'backend' | 'setup';

export type FromWorker =
  | { readonly type: 'backend'; readonly runId: number; readonly choice: BackendChoice }
  | { readonly type: 'status'; readonly runId: number; readonly status: RunStatus }
  | {
      readonly type: 'phase';
      readonly runId: number;
      readonly iteration: number;
      readonly phase: Phase;
      readonly progress: number;
    }
  | { readonly type: 'report'; readonly runId: number; readonly report: IterationReport }
  | {
      readonly type: 'error';
      readonly runId: number;
      readonly message: string;
      readonly phase: ErrorStage;
    };
