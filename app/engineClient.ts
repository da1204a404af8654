/**
 * The one owner of the engine's Web Worker: commands go out as protocol messages, whatever comes
 * back is handed to the playground store. Components call these commands; they never see the
 * worker. The worker is created on the first run and replaced if it ever dies, or if it fell
 * silent (its watchdog, app/engineWatchdog.ts) and the user retries.
 */
import { comparedConfigs } from '../src/config/compareVariants';
import { expandLanes } from '../src/run/lanes';
import type { FromWorker, RunMode, ToWorker } from '../src/workerProtocol';
import { EngineWatchdog } from './engineWatchdog';
import { selectEditPlan, takesLiveChanges, useLabStore } from './playground/store';

let worker: Worker | null = null;

const watchdog = new EngineWatchdog({
  silent: (seconds) => useLabStore.getState().engineSilent(seconds),
  heard: () => useLabStore.getState().engineSilent(null),
});

/** Drops a worker presumed dead (silent), so the next command starts a new one. */
function replaceIfSilent(): void {
  if (useLabStore.getState().engineSilence === null) return;
  worker?.terminate();
  worker = null;
  watchdog.rest();
  useLabStore.getState().engineSilent(null);
}

function engine(): Worker {
  if (worker !== null) return worker;
  const created = new Worker(new URL('../src/worker.ts', import.meta.url), { type: 'module' });
  created.addEventListener('message', (event: MessageEvent<FromWorker>) => {
    // A worker declared dead may still have messages queued: they must not overwrite its death.
    if (worker !== created) return;
    watchdog.heard();
    receive(event.data);
  });
  created.addEventListener('error', (event) => {
    // The worker could not load or crashed outside the loop: say so, and start afresh next time.
    event.preventDefault();
    if (worker !== created) return;
    worker = null;
    watchdog.rest();
    const store = useLabStore.getState();
    const cause = event.message || 'it failed to load (the browser console says why)';
    store.errorRaised(null, {
      stage: 'worker',
      message: `The engine worker stopped: ${cause}. Retry starts a new one with the same settings.`,
    });
    store.statusChanged(store.runId, 'failed');
    created.terminate();
  });
  created.addEventListener('messageerror', () => {
    useLabStore.getState().errorRaised(null, {
      stage: 'worker',
      message: 'A message from the engine could not be read.',
    });
  });
  worker = created;
  return created;
}

function send(message: ToWorker): void {
  engine().postMessage(message);
}

function receive(message: FromWorker): void {
  const store = useLabStore.getState();
  switch (message.type) {
    case 'backend':
      store.backendChosen(message.runId, message.choice);
      return;
    case 'prepared':
      store.backendPrepared(message.wanted, message.choice);
      return;
    case 'status':
      store.statusChanged(message.runId, message.status);
      if (message.runId === store.runId && ['done', 'stopped', 'failed'].includes(message.status))
        watchdog.rest();
      return;
    case 'heartbeat':
      return;
    case 'event':
      store.engineEvent(message.runId, message.lane, message.event);
      return;
    case 'bands':
      store.bandsReceived(message.runId, message.variant, message.bands);
      return;
    case 'laneDone':
      store.laneDone(message.runId, message.lane);
      return;
    case 'error': {
      const error = { message: message.message, stage: message.phase };
      if (message.lane !== null) store.laneFailed(message.runId, message.lane, error);
      else store.errorRaised(message.runId === -1 ? null : message.runId, error);
      return;
    }
  }
}

function startRun(mode: RunMode): void {
  replaceIfSilent();
  const store = useLabStore.getState();
  const runId = store.runId + 1;
  const { compare, seeds } = store;
  const variants = comparedConfigs(store.config, compare);
  const lanes = expandLanes(variants, seeds).map(({ variant, seedIndex, config }) => ({
    variant,
    seedIndex,
    seed: config.seed,
  }));
  store.runStarted(runId, { variants, compare, seeds, lanes });
  send({ type: 'start', runId, variants, seeds, mode });
  watchdog.watch();
}

/** Play starts a run (or a new one after the last ended), resumes a paused one, pauses a running one. */
export function togglePlay(): void {
  useLabStore.getState().closeViewing();
  const { status } = useLabStore.getState();
  if (status === 'running' || status === 'starting') send({ type: 'pause' });
  else if (status === 'paused' && useLabStore.getState().divergence !== null)
    resumeAfterDivergence();
  // Pausing: the engine has not stopped yet, and resuming cancels the pause.
  else if (status === 'paused' || status === 'pausing') send({ type: 'resume' });
  else startRun('run');
}

/**
 * After a divergence: the diverged lanes retry their iteration from the last good state with
 * the settings now on screen (the engine refuses, by name, knobs that need a new run).
 */
export function resumeAfterDivergence(): void {
  const store = useLabStore.getState();
  store.divergenceResolved();
  send({ type: 'resume', variants: comparedConfigs(store.config, store.compare) });
}

/** Runs to the next report, then pauses (starting a run if there is none). */
export function step(): void {
  useLabStore.getState().closeViewing();
  const { status } = useLabStore.getState();
  if (status === 'paused' || status === 'pausing' || status === 'running' || status === 'starting')
    send({ type: 'step' });
  else startRun('step');
}

/** Stops the run (freeing its tensors in the worker) and forgets its reports. */
export function reset(): void {
  useLabStore.getState().closeViewing();
  replaceIfSilent();
  watchdog.rest();
  if (worker !== null) send({ type: 'stop' });
  useLabStore.getState().runCleared();
}

/** A fresh run with the config on screen (on a new worker if the old one fell silent). */
export function restart(): void {
  useLabStore.getState().closeViewing();
  replaceIfSilent();
  if (worker !== null) send({ type: 'stop' });
  startRun('run');
}

/**
 * Live knobs: an edit of a knob that needs no fresh run (src/config/knobs.ts), from the controls,
 * the compare panel or the link, goes to the running run at once, which takes it at its next
 * iteration; the reports then mark where. Knobs that need a fresh run wait for Restart, and a
 * change the loop would refuse is not sent (the controls say why).
 */
useLabStore.subscribe((state, previous) => {
  if (
    state.config === previous.config &&
    state.compare === previous.compare &&
    state.seeds === previous.seeds &&
    state.runVariants === previous.runVariants
  )
    return;
  if (worker === null || !takesLiveChanges(state.status)) return;
  const plan = selectEditPlan(state);
  if (plan.live === null || plan.refused !== null) return;
  send({ type: 'change', variants: [...plan.live] });
  // With nothing left waiting, the run's compared configs are the ones on screen.
  state.liveChangeSent(plan.live, plan.restart.length === 0 ? state.compare : null);
});

/** Pauses a running run (e.g. while a loaded file is viewed); does nothing otherwise. */
export function pauseRun(): void {
  const { status } = useLabStore.getState();
  if (status === 'running' || status === 'starting') send({ type: 'pause' });
}

/** How long the config on screen must stay unchanged before its backend is chosen ahead of Play. */
const PREPARE_DELAY_MS = 300;
let prepareTimer: ReturnType<typeof setTimeout> | null = null;

/**
 * Ahead of Play: while no run exists, the worker chooses the backend of the config on screen
 * (auto times the config's own workload, a few seconds), so that pressing Play starts the run
 * at once. Sent when the page opens and after an edit; the worker keeps one choice per workload.
 */
function prepareSoon(): void {
  if (prepareTimer !== null) clearTimeout(prepareTimer);
  prepareTimer = setTimeout(() => {
    prepareTimer = null;
    const { status, config, engineSilence } = useLabStore.getState();
    if (status !== 'idle' || engineSilence !== null) return;
    send({ type: 'prepare', config });
  }, PREPARE_DELAY_MS);
}

useLabStore.subscribe((state, previous) => {
  if (state.config !== previous.config && state.status === 'idle') prepareSoon();
});
prepareSoon();
