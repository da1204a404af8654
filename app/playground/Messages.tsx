/**
 * The link's notices (what the URL decoder changed or ignored), the run's error, a divergence, a
 * backend that failed mid-run and an engine that fell silent, each with a way on.
 */
import { reset, restart, resumeAfterDivergence } from '../engineClient';
import { selectIterationsDone, useLabStore } from './store';

export function LinkNotices() {
  const notices = useLabStore((state) => state.notices);
  const dismiss = useLabStore((state) => state.dismissNotices);
  if (notices.length === 0) return null;
  return (
    <div className="message message--notice" role="status">
      <div>
        <strong>
          The link was read with {notices.length === 1 ? 'one change' : `${notices.length} changes`}
          :
        </strong>
        <ul>
          {notices.map((notice, index) => (
            <li key={`${notice.key}-${index}`}>{notice.message}</li>
          ))}
        </ul>
      </div>
      <button type="button" className="button button--small" onClick={dismiss}>
        Dismiss
      </button>
    </div>
  );
}

const STAGE_WORDS: Record<string, string> = {
  backend: 'while starting the tensor backend',
  setup: 'while setting up the run',
  collect: 'while collecting real data',
  fit: 'while fitting the model',
  improve: 'while improving the policy',
  evaluate: 'while evaluating',
  worker: 'in the engine worker',
};

/** Training diverged: say where and why, keep everything, and offer a way on. */
export function DivergenceNotice() {
  const divergence = useLabStore((state) => state.divergence);
  const kept = useLabStore(selectIterationsDone);
  if (divergence === null) return null;
  return (
    <div className="message message--error" role="alert">
      <div>
        <strong>
          Training diverged {STAGE_WORDS[divergence.phase] ?? ''} (iteration {divergence.iteration}
          ): {divergence.figure} is not finite.
        </strong>
        <p className="error-text">Likely cause: {divergence.likelyCause}.</p>
        <p>
          The run went back to its last good state and paused
          {kept > 0 ? `; the ${kept === 1 ? 'report' : `${kept} reports`} so far are kept` : ''}.
          Change the setting, then resume to retry the iteration, or reset.
        </p>
      </div>
      <div className="message-actions">
        <button
          type="button"
          className="button button--small button--primary"
          onClick={resumeAfterDivergence}
        >
          Resume with these settings
        </button>
        <button type="button" className="button button--small" onClick={reset}>
          Reset
        </button>
      </div>
    </div>
  );
}

export function RunError() {
  const error = useLabStore((state) => state.error);
  const dismiss = useLabStore((state) => state.dismissError);
  const kept = useLabStore(selectIterationsDone);
  const backend = useLabStore((state) => state.config.backend);
  const setConfig = useLabStore((state) => state.setConfig);
  if (error === null) return null;
  const otherBackend = backend === 'wasm' ? 'cpu' : 'wasm';
  return (
    <div className="message message--error" role="alert">
      <div>
        <strong>The run stopped {STAGE_WORDS[error.stage] ?? ''}.</strong>
        <p className="error-text">{error.message}</p>
        {kept > 0 && <p>The {kept === 1 ? 'report' : `${kept} reports`} so far are kept below.</p>}
      </div>
      <div className="message-actions">
        <button type="button" className="button button--small button--primary" onClick={restart}>
          Retry
        </button>
        <button
          type="button"
          className="button button--small"
          onClick={() => {
            setConfig((config) => ({ ...config, backend: otherBackend }));
            restart();
          }}
        >
          Retry on {otherBackend.toUpperCase()}
        </button>
        <button type="button" className="button button--small" onClick={dismiss}>
          Dismiss
        </button>
      </div>
    </div>
  );
}

const BACKEND_NAMES: Record<string, string> = {
  webgpu: 'WebGPU',
  webgl: 'WebGL',
  wasm: 'WASM',
  cpu: 'CPU',
};

const backendName = (name: string) => BACKEND_NAMES[name] ?? name;

/** The backend failed mid-run: the engine already went on with another; say what happened. */
export function BackendFallbackNotice() {
  const fallback = useLabStore((state) => state.fallback);
  const dismiss = useLabStore((state) => state.dismissFallback);
  if (fallback === null) return null;
  const where =
    fallback.phase === null
      ? ''
      : ` ${STAGE_WORDS[fallback.phase] ?? ''} (iteration ${fallback.iteration})`;
  return (
    <div className="message message--notice" role="status" aria-label="Backend fallback">
      <div>
        <strong>
          {backendName(fallback.failed)} failed mid-run{where}: {fallback.message}; continued on{' '}
          {backendName(fallback.backend)}.
        </strong>
        <p>
          The run went back to its last good iteration and retried it there; the reports so far are
          kept, and each names the backend it ran on.
        </p>
      </div>
      <button type="button" className="button button--small" onClick={dismiss}>
        Dismiss
      </button>
    </div>
  );
}

/** The engine worker fell silent past its watchdog's limit: presumed dead, with a way on. */
export function EngineSilenceNotice() {
  const seconds = useLabStore((state) => state.engineSilence);
  const kept = useLabStore(selectIterationsDone);
  if (seconds === null) return null;
  return (
    <div className="message message--error" role="alert">
      <div>
        <strong>The engine worker has not answered for {seconds} s.</strong>
        <p className="error-text">
          It says it is alive every second whenever it is free, so it has most likely been killed (a
          killed worker sends no error) or is stuck in one very long step. This goes away if it
          answers again.
        </p>
        <p>
          Retry starts a new one with the same settings
          {kept > 0 ? `; the ${kept === 1 ? 'report' : `${kept} reports`} so far are kept` : ''}.
        </p>
      </div>
      <div className="message-actions">
        <button type="button" className="button button--small button--primary" onClick={restart}>
          Retry
        </button>
      </div>
    </div>
  );
}
