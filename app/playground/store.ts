/**
 * The store of the lab tab ("Model-based RL lab"; the other tab's is app/playTabStore.ts), in
 * small slices: the config being edited with its compared variants and seed count (the URL
 * mirrors them), the run (status, and per lane — config × seed — its
 * phase, its latest report and how many it has sent, plus each config's bands over seeds as the
 * worker streams them), the backend the worker chose, the link's notices and the last error.
 * Every report of the run is kept for the export in the report archive (reportArchive.ts), out of
 * the store. Actions live next to the state they change; the worker client (app/engineClient.ts)
 * calls the run actions, the controls call the config ones.
 */
import { create, type StateCreator } from 'zustand';
import type { BackendChoice } from '../../src/backend';
import type { VariantOverrides } from '../../src/config/compareVariants';
import {
  decodeHash,
  linkOf,
  type DecodedHash,
  type LessonRef,
  type LinkState,
  type UrlNotice,
} from '../../src/config/urlCodec';
import type { ControlGroup } from '../../src/config/urlKeys';
import type { PresetName } from '../../src/config/presets';
import type { KnobChange } from '../../src/config/knobs';
import type { ExperimentConfig } from '../../src/config/schema';
import type { LabOutput } from '../../src/exportFile';
import type { ExperimentEvent, IterationReport, Phase } from '../../src/report';
import type { IterationBands } from '../../src/reportSeries';
import { planEdit, type EditPlan } from '../../src/run/liveEdit';
import type { ErrorStage, LaneId, RunStatus } from '../../src/workerProtocol';
import { appendBands } from './bandsWindow';
import { reportArchive } from './reportArchive';

export type Status = 'idle' | RunStatus;

/**
 * The link on screen (urlCodec.ts's LinkState: the config, its preset, hidden groups, lesson
 * step, compared variants, seeds); a run started from it keeps its own copy of the config.
 */
interface ConfigSlice extends LinkState {
  config: ExperimentConfig;
  preset: PresetName | null;
  hide: ControlGroup[];
  lesson: LessonRef | null;
  compare: VariantOverrides[];
  seeds: number;
  setConfig: (update: (config: ExperimentConfig) => ExperimentConfig) => void;
  setCompare: (update: (compare: VariantOverrides[]) => VariantOverrides[]) => void;
  setSeeds: (seeds: number) => void;
  setLesson: (lesson: LessonRef | null) => void;
  /** Replaces the config, preset, variants and classroom keys, e.g. from a link or the preset picker. */
  loadDecoded: (decoded: DecodedHash) => void;
}

interface NoticeSlice {
  notices: UrlNotice[];
  dismissNotices: () => void;
}

export interface RunError {
  readonly message: string;
  readonly stage: ErrorStage | 'worker';
}

/** One experiment of the run: a compared config on one seed. */
export interface LaneState {
  readonly variant: number;
  readonly seedIndex: number;
  readonly seed: number;
  /** The lane's last report (the map and the episode draw it); all of them are in reportArchive. */
  readonly latest: IterationReport | null;
  /** Reports the lane has sent: the iterations it has finished. */
  readonly reportCount: number;
  /** Where in the iteration after its last report the lane is. */
  readonly phase: Phase | null;
  readonly progress: number;
  readonly ended: 'done' | 'failed' | null;
  readonly error: RunError | null;
}

/** Where the knobs of a compared config changed while its run went on. */
export interface KnobMark {
  /** The first iteration (0-based, as reports count) run with the new values. */
  readonly iteration: number;
  readonly changes: readonly KnobChange[];
}

interface RunSlice {
  runId: number;
  /** The configs the current run was started with, the base first; empty before the first run. */
  runStartVariants: ExperimentConfig[];
  /**
   * The configs the run goes on with: those it started with and the live changes handed to it
   * since (src/config/knobs.ts); empty before the first run.
   */
  runVariants: ExperimentConfig[];
  /** The run's base config as it goes on; null before the first run. */
  runConfig: ExperimentConfig | null;
  runCompare: VariantOverrides[];
  runSeeds: number;
  status: Status;
  /** Seed-major, as the worker takes turns: every config's first seed, then every second, … */
  lanes: LaneState[];
  /**
   * Per compared config, its figures per iteration over its seeds (mean and 95 % band); past
   * 1 000 iterations, thinned for the charts (bandsWindow.ts).
   */
  bands: IterationBands[][];
  /** Per compared config, where its knobs changed during the run (its first seed's reports say). */
  knobMarks: KnobMark[][];
  /** Live knob changes were handed to the run: it goes on with these configs from its next iteration. */
  liveChangeSent: (
    variants: readonly ExperimentConfig[],
    compare: VariantOverrides[] | null,
  ) => void;
  runStarted: (
    runId: number,
    setup: {
      variants: ExperimentConfig[];
      compare: VariantOverrides[];
      seeds: number;
      /** In the order the worker takes turns. */
      lanes: readonly (LaneId & { readonly seed: number })[];
    },
  ) => void;
  statusChanged: (runId: number, status: RunStatus) => void;
  /**
   * One of a lane's engine events as the loop made it (src/report.ts): its phase and progress, a
   * report, a divergence (the run paused), or a backend fallback (the run went on).
   */
  engineEvent: (runId: number, lane: LaneId, event: ExperimentEvent) => void;
  bandsReceived: (runId: number, variant: number, bands: IterationBands) => void;
  laneDone: (runId: number, lane: LaneId) => void;
  /** One lane stopped; the run fails (and says why) only once every lane has. */
  laneFailed: (runId: number, lane: LaneId, error: RunError) => void;
  /** Forgets the run: no reports, idle. */
  runCleared: () => void;
}

/** The backend failed mid-run and the engine went on with another (nothing paused). */
export interface BackendFallback {
  readonly lane: LaneId;
  readonly iteration: number;
  /** null when the lane followed another lane's fallback. */
  readonly phase: Phase | null;
  readonly failed: string;
  readonly backend: string;
  readonly message: string;
}

interface BackendSlice {
  backend: BackendChoice | null;
  backendChosen: (runId: number, choice: BackendChoice) => void;
  /** The backend chosen before Play for the config on screen, and the preference it was for. */
  prepared: { readonly wanted: string; readonly choice: BackendChoice } | null;
  backendPrepared: (wanted: string, choice: BackendChoice) => void;
  /** The run's last backend failure; the run went on. */
  fallback: BackendFallback | null;
  dismissFallback: () => void;
}

/** Training met a NaN or Inf: the lane went back to its last good state and the run paused. */
export interface Divergence {
  readonly lane: LaneId;
  readonly iteration: number;
  readonly phase: Phase;
  readonly figure: string;
  readonly likelyCause: string;
}

interface ErrorSlice {
  /**
   * Seconds the engine worker has been silent past its watchdog's limit (app/engineWatchdog.ts):
   * presumed dead; null while it answers.
   */
  engineSilence: number | null;
  engineSilent: (seconds: number | null) => void;
  error: RunError | null;
  errorRaised: (runId: number | null, error: RunError) => void;
  dismissError: () => void;
  divergence: Divergence | null;
  divergenceResolved: () => void;
}

/** A results file loaded for viewing: its reports are drawn instead of the run's, nothing runs. */
export interface LoadedFile {
  readonly name: string;
  readonly output: LabOutput;
  /** Which of the file's runs (seeds) is on screen. */
  readonly runIndex: number;
}

interface ViewingSlice {
  viewing: LoadedFile | null;
  /** Why the last file was refused, one problem a line; null when there is nothing to say. */
  loadError: { readonly name: string; readonly problems: readonly string[] } | null;
  fileLoaded: (name: string, output: LabOutput) => void;
  fileRefused: (name: string, problems: readonly string[]) => void;
  viewRun: (runIndex: number) => void;
  /** Back to the playground: the run's own reports are shown again. */
  closeViewing: () => void;
  dismissLoadError: () => void;
}

export type LabState = ConfigSlice &
  NoticeSlice &
  RunSlice &
  BackendSlice &
  ErrorSlice &
  ViewingSlice;
type Slice<T> = StateCreator<LabState, [], [], T>;

const initial = decodeHash(typeof location === 'undefined' ? '' : location.hash);

const createConfigSlice: Slice<ConfigSlice> = (set) => ({
  ...linkOf(initial),
  setConfig: (update) => set((state) => ({ config: update(state.config) })),
  setCompare: (update) => set((state) => ({ compare: update(state.compare) })),
  setSeeds: (seeds) => set({ seeds }),
  setLesson: (lesson) => set({ lesson }),
  loadDecoded: (decoded) => set({ ...linkOf(decoded), notices: decoded.notices }),
});

const createNoticeSlice: Slice<NoticeSlice> = (set) => ({
  notices: initial.notices,
  dismissNotices: () => set({ notices: [] }),
});

const laneIndex = (lanes: readonly LaneState[], id: LaneId): number =>
  lanes.findIndex((lane) => lane.variant === id.variant && lane.seedIndex === id.seedIndex);

/** The lanes with one of them replaced; the same array if the lane is unknown. */
function updateLane(
  lanes: LaneState[],
  id: LaneId,
  update: (lane: LaneState) => LaneState,
): LaneState[] {
  const index = laneIndex(lanes, id);
  if (index < 0) return lanes;
  const next = [...lanes];
  next[index] = update(lanes[index]);
  return next;
}

const createRunSlice: Slice<RunSlice> = (set, get) => {
  /** Messages of a run that was stopped or replaced are dropped. */
  const ours = (runId: number) => runId === get().runId;
  /** A lane's report: its latest, its count, and where the knobs changed (its first seed's say). */
  const reportReceived = (runId: number, lane: LaneId, report: IterationReport) => {
    reportArchive.add(runId, lane, report);
    const { changes } = report;
    set((state) => ({
      lanes: updateLane(state.lanes, lane, (l) => ({
        ...l,
        latest: report,
        reportCount: l.reportCount + 1,
        phase: null,
        progress: 0,
      })),
      // Every lane takes a change at the same iteration: its first seed's report says where.
      ...(changes === undefined ||
      lane.seedIndex !== 0 ||
      state.knobMarks[lane.variant] === undefined
        ? {}
        : {
            knobMarks: state.knobMarks.map((marks, variant) =>
              variant === lane.variant
                ? [...marks, { iteration: report.iteration, changes }]
                : marks,
            ),
          }),
    }));
  };
  return {
    runId: 0,
    runStartVariants: [],
    runVariants: [],
    runConfig: null,
    runCompare: [],
    runSeeds: 1,
    status: 'idle',
    lanes: [],
    bands: [],
    knobMarks: [],
    runStarted: (runId, { variants, compare, seeds, lanes }) => {
      reportArchive.start(runId);
      set({
        runId,
        runStartVariants: variants,
        runVariants: variants,
        runConfig: variants[0],
        runCompare: compare,
        runSeeds: seeds,
        status: 'starting',
        lanes: lanes.map(({ variant, seedIndex, seed }) => ({
          variant,
          seedIndex,
          seed,
          latest: null,
          reportCount: 0,
          phase: null,
          progress: 0,
          ended: null,
          error: null,
        })),
        bands: variants.map(() => []),
        knobMarks: variants.map(() => []),
        error: null,
        divergence: null,
        fallback: null,
        engineSilence: null,
      });
    },
    statusChanged: (runId, status) => {
      if (ours(runId)) set({ status });
    },
    engineEvent: (runId, lane, event) => {
      if (!ours(runId)) return;
      switch (event.kind) {
        case 'phase': {
          const { phase, progress } = event;
          set((state) => ({
            lanes: updateLane(state.lanes, lane, (l) => ({ ...l, phase, progress })),
          }));
          return;
        }
        case 'report':
          reportReceived(runId, lane, event.report);
          return;
        case 'diverged': {
          const { iteration, phase, figure, likelyCause } = event;
          set({ divergence: { lane, iteration, phase, figure, likelyCause } });
          return;
        }
        case 'backendFallback': {
          const { iteration, phase, failed, backend, message } = event;
          const shown = get().fallback;
          // Lanes that only followed add nothing to the notice of the lane that met the failure.
          const followed =
            phase === null &&
            shown !== null &&
            shown.failed === failed &&
            shown.backend === backend;
          if (!followed) set({ fallback: { lane, iteration, phase, failed, backend, message } });
          return;
        }
      }
    },
    liveChangeSent: (variants, compare) =>
      set((state) => ({
        runVariants: [...variants],
        runConfig: variants[0],
        runCompare: compare ?? state.runCompare,
      })),
    bandsReceived: (runId, variant, bands) => {
      if (!ours(runId)) return;
      set((state) => {
        if (state.bands[variant] === undefined) return {};
        const next = [...state.bands];
        next[variant] = appendBands(next[variant], bands);
        return { bands: next };
      });
    },
    laneDone: (runId, lane) => {
      if (!ours(runId)) return;
      set((state) => ({
        lanes: updateLane(state.lanes, lane, (l) => ({ ...l, ended: 'done', phase: null })),
      }));
    },
    laneFailed: (runId, lane, error) => {
      if (!ours(runId)) return;
      set((state) => {
        const lanes = updateLane(state.lanes, lane, (l) => ({ ...l, ended: 'failed', error }));
        const allFailed = lanes.length > 0 && lanes.every((l) => l.ended === 'failed');
        return allFailed ? { lanes, error } : { lanes };
      });
    },
    runCleared: () => {
      reportArchive.clear();
      set((state) => ({
        runId: state.runId + 1,
        runStartVariants: [],
        runVariants: [],
        runConfig: null,
        runCompare: [],
        runSeeds: 1,
        status: 'idle',
        lanes: [],
        bands: [],
        knobMarks: [],
        divergence: null,
        fallback: null,
        engineSilence: null,
      }));
    },
  };
};

const createBackendSlice: Slice<BackendSlice> = (set, get) => ({
  backend: null,
  prepared: null,
  backendPrepared: (wanted, choice) => set({ prepared: { wanted, choice } }),
  backendChosen: (runId, choice) => {
    if (runId === get().runId) set({ backend: choice });
  },
  fallback: null,
  dismissFallback: () => set({ fallback: null }),
});

const createErrorSlice: Slice<ErrorSlice> = (set, get) => ({
  engineSilence: null,
  engineSilent: (seconds) => set({ engineSilence: seconds }),
  error: null,
  errorRaised: (runId, error) => {
    if (runId === null || runId === get().runId) set({ error });
  },
  dismissError: () => set({ error: null }),
  divergence: null,
  divergenceResolved: () => set({ divergence: null }),
});

const createViewingSlice: Slice<ViewingSlice> = (set) => ({
  viewing: null,
  loadError: null,
  fileLoaded: (name, output) => set({ viewing: { name, output, runIndex: 0 }, loadError: null }),
  fileRefused: (name, problems) => set({ loadError: { name, problems } }),
  viewRun: (runIndex) =>
    set((state) =>
      state.viewing === null || state.viewing.output.runs[runIndex] === undefined
        ? {}
        : { viewing: { ...state.viewing, runIndex } },
    ),
  closeViewing: () => set({ viewing: null }),
  dismissLoadError: () => set({ loadError: null }),
});

export const useLabStore = create<LabState>()((...args) => ({
  ...createConfigSlice(...args),
  ...createNoticeSlice(...args),
  ...createRunSlice(...args),
  ...createBackendSlice(...args),
  ...createErrorSlice(...args),
  ...createViewingSlice(...args),
}));

/**
 * How many reports are on screen: a loaded file's run while viewing one, else the current run's
 * base config on its first seed (the run the env view, the map and the exports show).
 */
export const selectShownReportCount = (state: LabState): number =>
  state.viewing === null
    ? (state.lanes[0]?.reportCount ?? 0)
    : state.viewing.output.runs[state.viewing.runIndex].reports.length;

/** The config the reports on screen were made with. */
export const selectShownConfig = (state: LabState): ExperimentConfig =>
  state.viewing?.output.config ?? state.runConfig ?? state.config;

export const selectLatestReport = (state: LabState): IterationReport | null =>
  state.viewing === null
    ? (state.lanes[0]?.latest ?? null)
    : (state.viewing.output.runs[state.viewing.runIndex].reports.at(-1) ?? null);

/** The running lane furthest behind: the one the run's iteration count waits for. */
export const selectPacingLane = (state: LabState): LaneState | null => {
  let pacing: LaneState | null = null;
  for (const lane of state.lanes) {
    if (lane.ended === null && (pacing === null || lane.reportCount < pacing.reportCount)) {
      pacing = lane;
    }
  }
  return pacing;
};

/** Iterations every running lane has finished; once all have ended, the most any finished. */
export const selectIterationsDone = (state: LabState): number => {
  if (state.viewing !== null) return selectShownReportCount(state);
  const pacing = selectPacingLane(state);
  if (pacing !== null) return pacing.reportCount;
  return state.lanes.reduce(
    (most, lane) => (lane.ended === 'failed' ? most : Math.max(most, lane.reportCount)),
    0,
  );
};

export const hasReports = (state: LabState): boolean =>
  state.lanes.some((lane) => lane.reportCount > 0);

export const isActive = (status: Status): boolean => status === 'starting' || status === 'running';

/** A run that can still take live changes: it has not ended. */
export const takesLiveChanges = (status: Status): boolean =>
  status === 'starting' || status === 'running' || status === 'pausing' || status === 'paused';

const NO_EDIT: EditPlan = { restart: [], live: null, refused: null };
let lastPlan: { inputs: readonly unknown[]; plan: EditPlan } | null = null;

/**
 * What the settings on screen mean for the run (src/run/liveEdit.ts): which need a restart, and
 * what the run goes on with at its next iteration. Asked on every store update, so kept while its
 * inputs are the same objects.
 */
export const selectEditPlan = (state: LabState): EditPlan => {
  if (state.runVariants.length === 0) return NO_EDIT;
  const inputs = [state.runVariants, state.runSeeds, state.config, state.compare, state.seeds];
  if (lastPlan !== null && lastPlan.inputs.every((input, i) => input === inputs[i])) {
    return lastPlan.plan;
  }
  const plan = planEdit(
    { variants: state.runVariants, seeds: state.runSeeds },
    { config: state.config, compare: state.compare, seeds: state.seeds },
  );
  lastPlan = { inputs, plan };
  return plan;
};

/**
 * The settings on screen differ from the run's in a way it cannot take: knobs that need a fresh
 * run (the registry says which), or any change once the run has ended. A restart applies them.
 */
export const selectNeedsRestart = (state: LabState): boolean => {
  if (state.runConfig === null || state.status === 'idle') return false;
  const plan = selectEditPlan(state);
  if (takesLiveChanges(state.status)) return plan.restart.length > 0;
  return plan.restart.length > 0 || plan.live !== null;
};
