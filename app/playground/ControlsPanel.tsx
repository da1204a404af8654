/**
 * The knobs, grouped like the config, each with an accessible label and a one-line hint. While a
 * run goes on, a knob that needs no fresh run (the registry, src/config/knobs.ts) applies to it
 * at its next iteration (app/engineClient.ts hands it over); an edit of one that does is held as
 * pending and applied by a restart the user confirms.
 */
import { useId } from 'react';
import { getEnv } from '../../src/envs';
import type { EnvId } from '../../src/envs/types';
import type { ExperimentConfig } from '../../src/config/schema';
import { ENV_INFO } from '../envInfo';
import { ComparePanel } from './ComparePanel';
import { restart } from '../engineClient';
import {
  clamp,
  formatValue,
  fromSlider,
  KNOB_GROUPS,
  readKnob,
  SLIDER_STEPS,
  toSlider,
  writeKnob,
  type Knob,
} from './knobs';
import { selectEditPlan, selectNeedsRestart, takesLiveChanges, useLabStore } from './store';

export function ControlsPanel() {
  const hide = useLabStore((state) => state.hide);
  return (
    <div className="controls">
      <PendingChanges />
      <ComparePanel />
      {KNOB_GROUPS.map((group) => {
        const knobs = group.knobs.filter(
          (knob) => knob.section === null || !hide.includes(knob.section),
        );
        const showReal = group.realWorld === true && !hide.includes('env');
        if (knobs.length === 0 && !showReal) return null;
        return (
          <details key={group.title} className="control-group" open={group.folded !== true}>
            <summary>{group.title}</summary>
            <div className="control-list">
              {knobs.map((knob) => (
                <KnobControl key={knob.path} knob={knob} />
              ))}
              {showReal && <RealWorldParams />}
            </div>
          </details>
        );
      })}
    </div>
  );
}

function PendingChanges() {
  const needsRestart = useLabStore(selectNeedsRestart);
  const plan = useLabStore(selectEditPlan);
  const live = useLabStore((state) => takesLiveChanges(state.status));
  const runConfig = useLabStore((state) => state.runConfig);
  const runCompare = useLabStore((state) => state.runCompare);
  const runSeeds = useLabStore((state) => state.runSeeds);
  const setConfig = useLabStore((state) => state.setConfig);
  const setCompare = useLabStore((state) => state.setCompare);
  const setSeeds = useLabStore((state) => state.setSeeds);
  const refused = live && plan.refused !== null ? plan.refused : null;
  if ((!needsRestart && refused === null) || runConfig === null) return null;
  const undo = () => {
    setConfig(() => runConfig);
    setCompare(() => runCompare);
    setSeeds(runSeeds);
  };
  const waiting = live && plan.restart.length > 0 ? plan.restart.join(', ') : null;
  return (
    <div className="pending" role="status">
      {refused !== null && (
        <p>
          <strong>Not applied to the run:</strong> {refused}
        </p>
      )}
      {needsRestart && (
        <p>
          <strong>
            {waiting === null
              ? 'Changed settings apply to a new run.'
              : `${waiting}: ${plan.restart.length === 1 ? 'this change applies' : 'these changes apply'} to a new run.`}
          </strong>{' '}
          The charts show the run as it started
          {live ? '; the other settings apply to it at its next iteration' : ''}.
        </p>
      )}
      <div className="pending-actions">
        {needsRestart && (
          <button type="button" className="button button--primary" onClick={restart}>
            Restart with these settings
          </button>
        )}
        <button type="button" className="button" onClick={undo}>
          Undo changes
        </button>
      </div>
    </div>
  );
}

function KnobControl({ knob }: { knob: Knob }) {
  const id = useId();
  const field = knob;
  const value = useLabStore((state) => readKnob(state.config, field));
  const setConfig = useLabStore((state) => state.setConfig);
  const running = useLabStore((state) => takesLiveChanges(state.status));
  const set = (next: string | number) =>
    setConfig((config) => {
      const updated = writeKnob(config, field, next);
      // Physical parameters belong to an env: a new env starts from its nominal physics.
      return knob.path === 'env.id' && next !== config.env.id
        ? { ...updated, env: { id: next as EnvId, realParams: {} } }
        : updated;
    });
  const hintId = `${id}-hint`;

  let control;
  let shown: string | null = null;
  if (field.kind === 'enum') {
    control = (
      <select
        id={id}
        value={String(value)}
        aria-describedby={hintId}
        onChange={(event) => set(event.target.value)}
      >
        {field.values.map((option) => (
          <option key={option} value={option}>
            {knob.path === 'env.id'
              ? ENV_INFO[option as EnvId].title
              : ((knob.names as Readonly<Record<string, string>> | undefined)?.[option] ?? option)}
          </option>
        ))}
      </select>
    );
  } else if (knob.numberBox === true) {
    control = (
      <input
        id={id}
        type="number"
        inputMode="numeric"
        min={field.min}
        max={field.max}
        step={1}
        value={Number(value)}
        aria-describedby={hintId}
        onChange={(event) => {
          const parsed = Number(event.target.value);
          if (event.target.value !== '' && Number.isFinite(parsed))
            set(clamp(Math.round(parsed), field.min, field.max));
        }}
      />
    );
  } else {
    const numeric = Number(value);
    const scale = knob.scale ?? 'linear';
    shown = formatValue(numeric);
    control = (
      <input
        id={id}
        type="range"
        min={0}
        max={SLIDER_STEPS}
        step={1}
        value={toSlider(numeric, field.min, field.max, scale)}
        aria-valuetext={shown}
        aria-describedby={hintId}
        onChange={(event) =>
          set(
            fromSlider(Number(event.target.value), field as Knob & { kind: 'int' | 'real' }, scale),
          )
        }
      />
    );
  }
  return (
    <div
      className={`knob knob--${field.kind === 'enum' ? 'select' : knob.numberBox === true ? 'number' : 'slider'}`}
    >
      <div className="knob-head">
        <label htmlFor={id}>{knob.label}</label>
        {knob.change === 'restart' && running && (
          <span
            className="knob-restart"
            title="A change applies to a new run, not the one going on"
          >
            new run
          </span>
        )}
        {shown !== null && <output htmlFor={id}>{shown}</output>}
      </div>
      {control}
      <p className="knob-hint" id={hintId}>
        {knob.path === 'env.id' ? `${ENV_INFO[value as EnvId].goal} ${knob.hint}` : knob.hint}
      </p>
    </div>
  );
}

/** The real world's physics: each parameter the env lets users perturb, against its nominal value. */
function RealWorldParams() {
  const envId = useLabStore((state) => state.config.env.id);
  const realParams = useLabStore((state) => state.config.env.realParams);
  const setConfig = useLabStore((state) => state.setConfig);
  const spec = getEnv(envId).spec;
  const names = Object.keys(spec.paramRanges);
  if (names.length === 0) return null;
  const setParam = (name: string, value: number | null) =>
    setConfig((config: ExperimentConfig) => {
      const next = { ...config.env.realParams };
      if (value === null) delete next[name];
      else next[name] = value;
      return { ...config, env: { ...config.env, realParams: next } };
    });
  return (
    <fieldset className="real-world">
      <legend>Real-world physics</legend>
      <p className="knob-hint">
        The model is judged in this world; the nominal simulator keeps the defaults.
      </p>
      {names.map((name) => (
        <RealParam
          key={name}
          name={name}
          range={spec.paramRanges[name]}
          nominal={spec.defaultParams[name]}
          value={realParams[name]}
          onChange={(value) => setParam(name, value)}
        />
      ))}
    </fieldset>
  );
}

function RealParam(props: {
  name: string;
  range: readonly [number, number];
  nominal: number;
  value: number | undefined;
  onChange: (value: number | null) => void;
}) {
  const id = useId();
  const { name, range, nominal, onChange } = props;
  const value = props.value ?? nominal;
  const position = toSlider(value, range[0], range[1], 'linear');
  const changed = props.value !== undefined && props.value !== nominal;
  return (
    <div className="knob knob--slider">
      <div className="knob-head">
        <label htmlFor={id}>{name}</label>
        <output htmlFor={id} className={changed ? 'changed' : undefined}>
          {formatValue(value)}
        </output>
      </div>
      <input
        id={id}
        type="range"
        min={0}
        max={SLIDER_STEPS}
        value={position}
        aria-valuetext={formatValue(value)}
        onChange={(event) => {
          const raw =
            range[0] + (Number(event.target.value) / SLIDER_STEPS) * (range[1] - range[0]);
          const rounded = Number(raw.toPrecision(3));
          onChange(rounded === nominal ? null : rounded);
        }}
      />
      <p className="knob-hint">
        nominal {formatValue(nominal)}
        {changed && (
          <button
            type="button"
            className="link-button"
            onClick={() => onChange(null)}
            aria-label={`Reset ${name} to nominal`}
          >
            reset
          </button>
        )}
      </p>
    </div>
  );
}
