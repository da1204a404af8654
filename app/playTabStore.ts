/**
 * The store of the "Play the env yourself" tab, in small slices: which env and seed, the episode
 * on screen, play or pause, and who drives (the lab tab's is playground/store.ts). Actions live next to the state they change; components subscribe to the
 * slice they draw through the selectors at the bottom.
 */
import { create, type StateCreator } from 'zustand';
import type { EnvId } from '../src/envs/types';
import { actionForDirection, type Direction } from './actions';
import { controllerFor } from './controllers';
import { createEnvRunner, type EnvRunner, type EnvSnapshot, type EpisodeStatus } from './envRunner';

export const DEFAULT_ENV_ID: EnvId = 'Pendulum-v1';
export const DEFAULT_SEED = 0;
/** How long the last frame of an ended episode stays on screen before the next one starts. */
export const EPISODE_END_HOLD_MS = 900;

export type Driver = 'controller' | 'keyboard' | 'random';

export interface EpisodeOutcome {
  readonly episode: number;
  readonly episodeReturn: number;
  readonly steps: number;
  readonly status: Exclude<EpisodeStatus, 'running'>;
}

interface EnvSlice {
  envId: EnvId;
  seed: number;
  runner: EnvRunner;
  selectEnv: (envId: EnvId) => void;
  setSeed: (seed: number) => void;
  /** Starts over from the seed: episode 1, the same start state every time for the same seed. */
  reset: () => void;
}

interface EpisodeSlice {
  snapshot: EnvSnapshot;
  lastOutcome: EpisodeOutcome | null;
  /** performance.now() when the episode on screen ended, null while it runs. */
  endedAt: number | null;
  /** One animation frame's worth of simulation: a step, or the next episode after the hold. */
  advance: (now: number) => void;
  /** One step on demand (the Step button): skips the end-of-episode hold. */
  stepOnce: () => void;
}

interface PlaybackSlice {
  playing: boolean;
  play: () => void;
  pause: () => void;
  togglePlaying: () => void;
}

interface DriverSlice {
  driver: Driver;
  /** The direction held on the keyboard or selected on screen, used by the keyboard driver. */
  direction: Direction;
  setDriver: (driver: Driver) => void;
  setDirection: (direction: Direction) => void;
}

export type PlayTabState = EnvSlice & EpisodeSlice & PlaybackSlice & DriverSlice;
type Slice<T> = StateCreator<PlayTabState, [], [], T>;

/** A new run touches two slices at once: the env it runs and the episode it shows. */
type FreshRun = Pick<EnvSlice, 'envId' | 'seed' | 'runner'> &
  Pick<EpisodeSlice, 'snapshot' | 'lastOutcome' | 'endedAt'>;

function freshRun(envId: EnvId, seed: number): FreshRun {
  const runner = createEnvRunner(envId, seed);
  return { envId, seed, runner, snapshot: runner.snapshot(), lastOutcome: null, endedAt: null };
}

const initialRun = freshRun(DEFAULT_ENV_ID, DEFAULT_SEED);

const createEnvSlice: Slice<EnvSlice> = (set, get) => ({
  envId: initialRun.envId,
  seed: initialRun.seed,
  runner: initialRun.runner,
  selectEnv: (envId) => set(freshRun(envId, get().seed)),
  setSeed: (seed) => set(freshRun(get().envId, seed)),
  reset: () => set(freshRun(get().envId, get().seed)),
});

function chooseAction(state: PlayTabState): number {
  const { runner, snapshot, driver, direction } = state;
  const space = runner.spec.actionSpace;
  if (driver === 'controller') return controllerFor(runner.spec.id)(snapshot.observation);
  if (driver === 'random') {
    return space.kind === 'box'
      ? runner.policyRng.uniform(space.low, space.high)
      : runner.policyRng.int(space.n);
  }
  return actionForDirection(space, direction, snapshot.steps);
}

const createEpisodeSlice: Slice<EpisodeSlice> = (set, get) => {
  const stepOrRestart = (now: number, holdMs: number) => {
    const state = get();
    const { runner, snapshot, endedAt } = state;
    if (snapshot.status !== 'running') {
      if (endedAt !== null && now - endedAt < holdMs) return;
      set({ snapshot: runner.startNextEpisode(), endedAt: null });
      return;
    }
    const next = runner.step(chooseAction(state));
    if (next.status === 'running') {
      set({ snapshot: next });
      return;
    }
    set({
      snapshot: next,
      endedAt: now,
      lastOutcome: {
        episode: next.episode,
        episodeReturn: next.episodeReturn,
        steps: next.steps,
        status: next.status,
      },
    });
  };
  return {
    snapshot: initialRun.snapshot,
    lastOutcome: null,
    endedAt: null,
    advance: (now) => stepOrRestart(now, EPISODE_END_HOLD_MS),
    stepOnce: () => stepOrRestart(performance.now(), 0),
  };
};

const createPlaybackSlice: Slice<PlaybackSlice> = (set) => ({
  playing: false,
  play: () => set({ playing: true }),
  pause: () => set({ playing: false }),
  togglePlaying: () => set((state) => ({ playing: !state.playing })),
});

const createDriverSlice: Slice<DriverSlice> = (set) => ({
  driver: 'controller',
  direction: 'none',
  setDriver: (driver) => set({ driver, direction: 'none' }),
  setDirection: (direction) => set({ direction }),
});

export const usePlayTabStore = create<PlayTabState>()((...args) => ({
  ...createEnvSlice(...args),
  ...createEpisodeSlice(...args),
  ...createPlaybackSlice(...args),
  ...createDriverSlice(...args),
}));

export const selectSpec = (state: PlayTabState) => state.runner.spec;
export const selectParams = (state: PlayTabState) => state.runner.params;
export const selectSnapshot = (state: PlayTabState) => state.snapshot;
export const selectEnvId = (state: PlayTabState) => state.envId;
export const selectPlaying = (state: PlayTabState) => state.playing;
export const selectDriver = (state: PlayTabState) => state.driver;
export const selectDirection = (state: PlayTabState) => state.direction;
export const selectLastOutcome = (state: PlayTabState) => state.lastOutcome;
export const selectSeed = (state: PlayTabState) => state.seed;
