/** Run controls, where the run is, the backend in use, the preset picker and the Share button. */
import { useId, useState } from 'react';
import { comparedConfigs, type VariantOverrides } from '../../src/config/compareVariants';
import { mostIterations } from '../../src/config/knobSchedule';
import { estimateIterationSeconds, formatSeconds } from '../../src/config/timeEstimate';
import { presets, type PresetName } from '../../src/config/presets';
import type { ExperimentConfig } from '../../src/config/schema';
import { decodeHash } from '../../src/config/urlCodec';
import { reset, step, togglePlay } from '../engineClient';
import { LessonPicker } from '../lessons/LessonPicker';
import { FileButtons } from './ExportImport';
import {
  hasReports,
  isActive,
  selectIterationsDone,
  selectPacingLane,
  selectShownConfig,
  useLabStore,
} from './store';

const PHASE_WORDS = {
  collect: 'collecting real data',
  fit: 'fitting the model',
  improve: 'improving the policy in imagination',
  evaluate: 'evaluating',
} as const;
const PHASE_ORDER = ['collect', 'fit', 'improve', 'evaluate'] as const;

export function TopBar() {
  return (
    <div className="topbar" role="toolbar" aria-label="Run">
      <RunButtons />
      <RunProgress />
      <BackendBadge />
      <div className="topbar-end">
        <LessonPicker />
        <PresetPicker />
        <FileButtons />
        <ShareButton />
      </div>
    </div>
  );
}

function RunButtons() {
  const status = useLabStore((state) => state.status);
  const hasRun = useLabStore((state) => state.status !== 'idle' || hasReports(state));
  const running = isActive(status);
  return (
    <div className="run-buttons">
      <button
        type="button"
        className="button button--primary button--round"
        onClick={togglePlay}
        aria-keyshortcuts="Space"
        title="Play / pause (Space)"
      >
        <span aria-hidden="true">{running ? '❚❚' : '▶'}</span>
        <span className="button-text">{running ? 'Pause' : 'Play'}</span>
      </button>
      <button
        type="button"
        className="button"
        onClick={step}
        aria-keyshortcuts="s"
        title="Run one iteration, then pause (S)"
      >
        <StepIcon /> Step
      </button>
      <button
        type="button"
        className="button"
        onClick={reset}
        disabled={!hasRun}
        title="Stop and clear the charts"
      >
        <span aria-hidden="true">↺</span> Reset
      </button>
    </div>
  );
}

/**
 * What an iteration of the settings on screen will take, before Play: every compared config on
 * every seed takes its turn each iteration (src/config/timeEstimate.ts, estimated for WASM).
 */
let lastPace: { key: unknown[]; words: string } | null = null;
function selectExpectedPace(state: { config: ExperimentConfig; compare: VariantOverrides[]; seeds: number }): string {
  const key = [state.config, state.compare, state.seeds];
  if (lastPace !== null && lastPace.key.every((value, i) => value === key[i])) return lastPace.words;
  let seconds = 0;
  try {
    for (const config of comparedConfigs(state.config, state.compare)) seconds += state.seeds * estimateIterationSeconds(config).seconds;
  } catch {
    seconds = Number.NaN;
  }
  const words = Number.isFinite(seconds) ? `${formatSeconds(seconds)} an iteration on WASM` : 'press Play';
  lastPace = { key, words };
  return words;
}

function RunProgress() {
  const status = useLabStore((state) => state.status);
  const viewing = useLabStore((state) => state.viewing !== null);
  const done = useLabStore(selectIterationsDone);
  // Compared configs may run different numbers of iterations: the run lasts as long as the longest.
  const planned = useLabStore((state) =>
    state.viewing === null && state.runVariants.length > 0
      ? Math.max(...state.runVariants.map((config) => config.iterations))
      : state.viewing === null
        ? selectShownConfig(state).iterations
        : mostIterations(state.viewing.output.config, state.viewing.output.schedule),
  );
  // Iterations lowered live below those already run: the run ends after the one under way.
  const total = Math.max(planned, done);
  const phase = useLabStore((state) => selectPacingLane(state)?.phase ?? null);
  const progress = useLabStore((state) => selectPacingLane(state)?.progress ?? 0);
  const within = phase === null ? 0 : (PHASE_ORDER.indexOf(phase) + progress) / PHASE_ORDER.length;
  const pace = useLabStore(selectExpectedPace);
  const words = viewing
    ? 'viewing a loaded file'
    : status === 'idle'
      ? `ready: ${pace}`
      : status === 'starting'
        ? 'starting the engine'
        : status === 'done'
          ? 'finished'
          : status === 'failed'
            ? 'stopped by an error'
            : status === 'stopped'
              ? 'stopped'
              : status === 'pausing'
                ? phase === null
                  ? 'pausing…'
                  : `pausing after ${PHASE_WORDS[phase]}…`
                : phase === null
                  ? status === 'paused'
                    ? 'paused'
                    : 'running'
                  : `${status === 'paused' ? 'paused while ' : ''}${PHASE_WORDS[phase]}`;
  return (
    <div className="run-progress">
      <div className="iteration-counter" aria-live="polite">
        Iteration <strong data-testid="iteration-count">{done}</strong>
        <span className="muted"> / {total}</span>
      </div>
      <div className="phase">
        <span className="phase-words">{words}</span>
        <progress
          aria-label="Progress of the current iteration"
          max={1}
          value={status === 'done' || viewing ? 1 : within}
        />
      </div>
    </div>
  );
}

function BackendBadge() {
  const running = useLabStore((state) => state.backend);
  const wanted = useLabStore((state) => state.config.backend);
  const prepared = useLabStore((state) => state.prepared);
  // Before Play, the choice made for the config on screen (engineClient.ts, prepareSoon).
  const backend = running ?? (prepared !== null && prepared.wanted === wanted ? prepared.choice : null);
  if (backend === null) {
    return (
      <div className="backend-badge" title="The tensor backend is chosen when the run starts">
        <span className="backend-name">
          {wanted === 'auto' ? 'backend: auto' : `backend: ${wanted}`}
        </span>
        <span className="backend-reason">chosen when a run starts</span>
      </div>
    );
  }
  const failed = Object.entries(backend.failures);
  return (
    <div
      className={`backend-badge${failed.length > 0 && wanted !== 'auto' ? ' backend-badge--warn' : ''}`}
    >
      <span className="backend-name">
        {backend.backend.toUpperCase()}
        {backend.imagination?.startsWith('fused') ? ' · fused WGSL' : ''}
      </span>
      <span
        className="backend-reason"
        title={[
          backend.reason,
          ...(backend.imagination === undefined
            ? []
            : [`imagined gradient steps: ${backend.imagination}`]),
          ...failed.map(([name, why]) => `${name}: ${why}`),
        ].join('\n')}
      >
        {backend.reason}
      </span>
    </div>
  );
}

function PresetPicker() {
  const id = useId();
  const preset = useLabStore((state) => state.preset);
  const loadDecoded = useLabStore((state) => state.loadDecoded);
  return (
    <div className="preset-picker">
      <label htmlFor={id}>Preset</label>
      <select
        id={id}
        value={preset ?? ''}
        onChange={(event) => {
          const name = event.target.value as PresetName | '';
          loadDecoded(decodeHash(name === '' ? '' : `preset=${name}`));
        }}
      >
        <option value="">Defaults</option>
        {(Object.keys(presets) as PresetName[]).map((name) => (
          <option key={name} value={name} title={presets[name].summary}>
            {presets[name].title}
          </option>
        ))}
      </select>
    </div>
  );
}

function ShareButton() {
  const [said, setSaid] = useState<string | null>(null);
  const share = async () => {
    const link = window.location.href;
    try {
      await navigator.clipboard.writeText(link);
      setSaid('Link copied');
    } catch {
      window.prompt('Copy this link:', link);
      setSaid('Link shown to copy');
    }
    window.setTimeout(() => setSaid(null), 2500);
  };
  return (
    <div className="share">
      <button
        type="button"
        className="button"
        onClick={() => void share()}
        title="Copy a link to this exact experiment"
      >
        <LinkIcon /> Share
      </button>
      <span className="share-said" role="status">
        {said}
      </span>
    </div>
  );
}

const iconProps = {
  width: 16,
  height: 16,
  viewBox: '0 0 16 16',
  'aria-hidden': true,
  focusable: false,
} as const;

function StepIcon() {
  return (
    <svg {...iconProps}>
      <path d="M3 3 L10 8 L3 13 Z" fill="currentColor" />
      <rect x="11" y="3" width="2.2" height="10" rx="0.8" fill="currentColor" />
    </svg>
  );
}

function LinkIcon() {
  return (
    <svg {...iconProps} fill="none" stroke="currentColor" strokeWidth="1.8" strokeLinecap="round">
      <path d="M6.5 9.5 L9.5 6.5" />
      <path d="M7 4.5 L8.6 2.9 a2.5 2.5 0 0 1 3.5 3.5 L10.5 8" />
      <path d="M9 11.5 L7.4 13.1 a2.5 2.5 0 0 1 -3.5 -3.5 L5.5 8" />
    </svg>
  );
}

/** One line on what the chosen preset shows, so a learner knows what to look for. */
export function PresetSummary() {
  const preset = useLabStore((state) => state.preset);
  if (preset === null) return null;
  return (
    <p className="preset-summary">
      <strong>{presets[preset].title}:</strong> {presets[preset].summary}
    </p>
  );
}
