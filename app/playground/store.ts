/**
 * The playground's store, in small slices: the config being edited (the URL mirrors it), the run
 * (status, phase, progress and every report so far), the backend the worker chose, the link's
 * notices and the last error. Actions live next to the state they change; the worker client
 * (app/engineClient.ts) calls the run actions, the controls call the config ones.
 */
import { create, type StateCreator } from 'zustand';
import type { BackendChoice } from '../../src/backend';
import {
  decodeHash,
  type DecodedHash,
  type LessonRef,
  type UrlNotice,
} from '../../src/config/urlCodec';
import type { ControlGroup } from '../../src/config/urlKeys';
import type { PresetName } from '../../src/config/presets';
import type { ExperimentConfig } from '../../src/config/schema';
import type { LabOutput } from '../../src/exportFile';
import type { IterationReport, Phase } from '../../src/report';
import type { ErrorStage, RunStatus } from '../../src/workerProtocol';

export type Status = 'idle' | RunStatus;

interface ConfigSlice {
  /** The config on screen and in the URL; a run started from it keeps its own copy. */
  config: ExperimentConfig;
  /** The preset the config started from (the link prints only differences from it). */
  preset: PresetName | null;
  hide: ControlGroup[];
  lesson: LessonRef | null;
  setConfig: (update: (config: ExperimentConfig) => ExperimentConfig) => void;
  /** Replaces the config, preset and classroom keys, e.g. from a link or the preset picker. */
  loadDecoded: (decoded: DecodedHash) => void;
}

interface NoticeSlice {
  notices: UrlNotice[];
  dismissNotices: () => void;
}

interface RunSlice {
  runId: number;
  /** The config the current run was started with; null before the first run. */
  runConfig: ExperimentConfig | null;
  status: Status;
  /** The iteration being computed (0-based) and where in it the loop is. */
  iteration: number;
  phase: Phase | null;
  progress: number;
  /** Every report of the current run, in order. */
  reports: IterationReport[];
  runStarted: (runId: number, config: ExperimentConfig) => void;
  statusChanged: (runId: number, status: RunStatus) => void;
  phaseReached: (runId: number, iteration: number, phase: Phase, progress: number) => void;
  reportReceived: (runId: number, report: IterationReport) => void;
  /** Forgets the run: no reports, idle. */
  runCleared: () => void;
}

interface BackendSlice {
  backend: BackendChoice | null;
  backendChosen: (runId: number, choice: BackendChoice) => void;
}

export interface RunError {
  readonly message: string;
  readonly stage: ErrorStage | 'worker';
}

interface ErrorSlice {
  error: RunError | null;
  errorRaised: (runId: number | null, error: RunError) => void;
  dismissError: () => void;
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

export type PlaygroundState = ConfigSlice &
  NoticeSlice &
  RunSlice &
  BackendSlice &
  ErrorSlice &
  ViewingSlice;
type Slice<T> = StateCreator<PlaygroundState, [], [], T>;

const initial = decodeHash(typeof location === 'undefined' ? '' : location.hash);

const createConfigSlice: Slice<ConfigSlice> = (set) => ({
  config: initial.config,
  preset: initial.preset,
  hide: initial.hide,
  lesson: initial.lesson,
  setConfig: (update) => set((state) => ({ config: update(state.config) })),
  loadDecoded: (decoded) =>
    set({
      config: decoded.config,
      preset: decoded.preset,
      hide: decoded.hide,
      lesson: decoded.lesson,
      notices: decoded.notices,
    }),
});

const createNoticeSlice: Slice<NoticeSlice> = (set) => ({
  notices: initial.notices,
  dismissNotices: () => set({ notices: [] }),
});

const createRunSlice: Slice<RunSlice> = (set, get) => {
  /** Messages of a run that was stopped or replaced are dropped. */
  const ours = (runId: number) => runId === get().runId;
  return {
    runId: 0,
    runConfig: null,
    status: 'idle',
    iteration: 0,
    phase: null,
    progress: 0,
    reports: [],
    runStarted: (runId, config) =>
      set({
        runId,
        runConfig: config,
        status: 'starting',
        iteration: 0,
        phase: null,
        progress: 0,
        reports: [],
        error: null,
      }),
    statusChanged: (runId, status) => {
      if (ours(runId)) set({ status });
    },
    phaseReached: (runId, iteration, phase, progress) => {
      if (ours(runId)) set({ iteration, phase, progress });
    },
    reportReceived: (runId, report) => {
      if (!ours(runId)) return;
      set((state) => ({
        reports: [...state.reports, report],
        iteration: report.iteration + 1,
        phase: null,
        progress: 0,
      }));
    },
    runCleared: () =>
      set((state) => ({
        runId: state.runId + 1,
        runConfig: null,
        status: 'idle',
        iteration: 0,
        phase: null,
        progress: 0,
        reports: [],
      })),
  };
};

const createBackendSlice: Slice<BackendSlice> = (set, get) => ({
  backend: null,
  backendChosen: (runId, choice) => {
    if (runId === get().runId) set({ backend: choice });
  },
});

const createErrorSlice: Slice<ErrorSlice> = (set, get) => ({
  error: null,
  errorRaised: (runId, error) => {
    if (runId === null || runId === get().runId) set({ error });
  },
  dismissError: () => set({ error: null }),
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

export const usePlayground = create<PlaygroundState>()((...args) => ({
  ...createConfigSlice(...args),
  ...createNoticeSlice(...args),
  ...createRunSlice(...args),
  ...createBackendSlice(...args),
  ...createErrorSlice(...args),
  ...createViewingSlice(...args),
}));

/** The reports on screen: a loaded file's run while viewing one, else the current run's. */
export const selectShownReports = (state: PlaygroundState): IterationReport[] =>
  state.viewing === null
    ? state.reports
    : state.viewing.output.runs[state.viewing.runIndex].reports;

/** The config the reports on screen were made with. */
export const selectShownConfig = (state: PlaygroundState): ExperimentConfig =>
  state.viewing?.output.config ?? state.runConfig ?? state.config;

export const selectLatestReport = (state: PlaygroundState): IterationReport | null => {
  const reports = selectShownReports(state);
  return reports.length === 0 ? null : reports[reports.length - 1];
};

export const isActive = (status: Status): boolean => status === 'starting' || status === 'running';

/** The run's config differs from the one on screen: a restart is needed to apply the edits. */
export const selectNeedsRestart = (state: PlaygroundState): boolean =>
  state.runConfig !== null &&
  state.status !== 'idle' &&
  JSON.stringify(state.runConfig) !== JSON.stringify(state.config);
