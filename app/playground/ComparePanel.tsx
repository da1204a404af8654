/**
 * Compare mode and seeds: up to three variants of the config on screen (A), each the same config
 * with a few settings changed, run on the same seeds and drawn over each other; and how many
 * seeds every config runs on, for the mean and its band. Like the other knobs, a change applies
 * to the next run.
 */
import { useId } from 'react';
import {
  MAX_SEEDS,
  MAX_VARIANTS,
  variantField,
  type VariantOverrides,
} from '../../src/config/compareVariants';
import type { ExperimentConfig } from '../../src/config/schema';
import type { UrlField, UrlKey } from '../../src/config/urlKeys';
import { clamp, fieldOf, formatValue, KNOB_GROUPS, readKnob, type Knob } from './knobs';
import { VARIANT_COLOURS, variantLetter } from './shownVariants';
import { useLabStore } from './store';

/** The knobs a variant can change, with the labels the controls use. */
const VARIANT_KNOBS: readonly (Knob & { field: UrlField })[] = KNOB_GROUPS.flatMap((group) =>
  group.knobs.flatMap((knob) =>
    variantField(knob.key) === undefined ? [] : [{ ...knob, field: knob }],
  ),
);

const knobByKey = (key: string) => VARIANT_KNOBS.find((knob) => knob.field.key === key);

/** A first value for a newly changed setting: another choice for a menu, the base's number otherwise. */
function startingValue(field: UrlField, baseValue: string | number): string | number {
  if (field.kind !== 'enum') return baseValue;
  return field.values.find((value) => value !== baseValue) ?? baseValue;
}

function optionName(knob: Knob, value: string): string {
  const names: Readonly<Record<string, string>> | undefined = knob.names;
  return names?.[value] ?? value;
}

export function ComparePanel() {
  const compare = useLabStore((state) => state.compare);
  const seeds = useLabStore((state) => state.seeds);
  const setSeeds = useLabStore((state) => state.setSeeds);
  const setCompare = useLabStore((state) => state.setCompare);
  const config = useLabStore((state) => state.config);
  const seedsId = useId();

  const addVariant = () => {
    const objective = fieldOf('objective.kind');
    setCompare((variants) => [
      ...variants,
      { [objective.key]: startingValue(objective, readKnob(config, objective)) },
    ]);
  };

  return (
    <details className="control-group compare-panel" open>
      <summary>Compare &amp; seeds</summary>
      <div className="control-list">
        <div className="knob knob--select">
          <div className="knob-head">
            <label htmlFor={seedsId}>Seeds per config</label>
          </div>
          <select
            id={seedsId}
            value={seeds}
            aria-describedby={`${seedsId}-hint`}
            onChange={(event) => setSeeds(Number(event.target.value))}
          >
            {Array.from({ length: MAX_SEEDS }, (_, i) => i + 1).map((count) => (
              <option key={count} value={count}>
                {count === 1 ? '1 seed' : `${count} seeds`}
              </option>
            ))}
          </select>
          <p className="knob-hint" id={`${seedsId}-hint`}>
            {seeds === 1
              ? `Every config runs on seed ${config.seed}; with several seeds the charts draw the mean and its 95 % band.`
              : `Every config runs on seeds ${config.seed}…${config.seed + seeds - 1}; the charts draw the mean and its 95 % band.`}
          </p>
        </div>
        {compare.length > 0 && (
          <p className="knob-hint">
            <span className="variant-letter" style={{ background: VARIANT_COLOURS[0] }}>
              A
            </span>{' '}
            is the config below; each other one changes a few of its settings.
          </p>
        )}
        {compare.map((overrides, index) => (
          <VariantEditor key={index} index={index} overrides={overrides} />
        ))}
        {compare.length < MAX_VARIANTS && (
          <button type="button" className="button button--small" onClick={addVariant}>
            {compare.length === 0 ? 'Compare with another config' : 'Add a config to compare'}
          </button>
        )}
      </div>
    </details>
  );
}

function VariantEditor({ index, overrides }: { index: number; overrides: VariantOverrides }) {
  const config = useLabStore((state) => state.config);
  const setCompare = useLabStore((state) => state.setCompare);
  const letter = variantLetter(index + 1);
  const update = (next: VariantOverrides) =>
    setCompare((variants) => variants.map((variant, i) => (i === index ? next : variant)));
  const remove = () => setCompare((variants) => variants.filter((_, i) => i !== index));
  const changed = Object.keys(overrides).filter((key) => knobByKey(key) !== undefined);
  const unused = VARIANT_KNOBS.find((knob) => !changed.includes(knob.field.key));

  return (
    <fieldset className="variant" aria-label={`Config ${letter}`}>
      <legend>
        <span
          className="variant-letter"
          style={{ background: VARIANT_COLOURS[(index + 1) % VARIANT_COLOURS.length] }}
        >
          {letter}
        </span>{' '}
        {changed.length === 0 ? 'same as A' : 'A with'}
      </legend>
      {changed.map((key) => (
        <OverrideRow
          key={key}
          letter={letter}
          overrideKey={key as UrlKey}
          value={overrides[key as UrlKey] as string | number}
          config={config}
          usedKeys={changed}
          onChange={(nextKey, value) => {
            const next: Partial<Record<UrlKey, string | number>> = {};
            for (const existing of changed) {
              if (existing === key) next[nextKey] = value;
              else next[existing as UrlKey] = overrides[existing as UrlKey];
            }
            update(next);
          }}
          onRemove={() => {
            const next: Partial<Record<UrlKey, string | number>> = { ...overrides };
            delete next[key as UrlKey];
            update(next);
          }}
        />
      ))}
      <div className="variant-actions">
        {unused !== undefined && (
          <button
            type="button"
            className="link-button"
            onClick={() =>
              update({
                ...overrides,
                [unused.field.key]: startingValue(unused.field, readKnob(config, unused.field)),
              })
            }
          >
            change a setting
          </button>
        )}
        <button
          type="button"
          className="link-button"
          onClick={remove}
          aria-label={`Remove config ${letter}`}
        >
          remove {letter}
        </button>
      </div>
    </fieldset>
  );
}

function OverrideRow(props: {
  letter: string;
  overrideKey: UrlKey;
  value: string | number;
  config: ExperimentConfig;
  usedKeys: readonly string[];
  onChange: (key: UrlKey, value: string | number) => void;
  onRemove: () => void;
}) {
  const { letter, overrideKey, value, config, usedKeys, onChange, onRemove } = props;
  const knob = knobByKey(overrideKey);
  const id = useId();
  if (knob === undefined) return null;
  const { field } = knob;
  const baseValue = readKnob(config, field);
  /** A number is taken when the box is left or Enter pressed: half-typed values are not clamped. */
  const commit = (text: string) => {
    const parsed = Number(text);
    if (text.trim() === '' || !Number.isFinite(parsed) || field.kind === 'enum') return;
    const rounded = field.kind === 'int' ? Math.round(parsed) : parsed;
    onChange(overrideKey, clamp(rounded, field.min, field.max));
  };
  return (
    <div className="override">
      <label htmlFor={`${id}-knob`} className="visually-hidden">
        {`Config ${letter}: setting`}
      </label>
      <select
        id={`${id}-knob`}
        value={overrideKey}
        onChange={(event) => {
          const next = knobByKey(event.target.value);
          if (next !== undefined) {
            onChange(next.field.key, startingValue(next.field, readKnob(config, next.field)));
          }
        }}
      >
        {VARIANT_KNOBS.filter(
          (candidate) =>
            candidate.field.key === overrideKey || !usedKeys.includes(candidate.field.key),
        ).map((candidate) => (
          <option key={candidate.field.key} value={candidate.field.key}>
            {candidate.label}
          </option>
        ))}
      </select>
      <label htmlFor={`${id}-value`} className="visually-hidden">
        {`Config ${letter}: ${knob.label}`}
      </label>
      {field.kind === 'enum' ? (
        <select
          id={`${id}-value`}
          value={String(value)}
          onChange={(event) => onChange(overrideKey, event.target.value)}
        >
          {field.values.map((option) => (
            <option key={option} value={option}>
              {optionName(knob, option)}
            </option>
          ))}
        </select>
      ) : (
        <input
          // A new value from outside (a link, another row) re-creates the box with it.
          key={String(value)}
          id={`${id}-value`}
          type="number"
          min={field.min}
          max={field.max}
          step={field.kind === 'int' ? 1 : 'any'}
          defaultValue={Number(value)}
          onBlur={(event) => commit(event.currentTarget.value)}
          onKeyDown={(event) => {
            if (event.key === 'Enter') commit(event.currentTarget.value);
          }}
        />
      )}
      <button
        type="button"
        className="link-button"
        onClick={onRemove}
        aria-label={`Config ${letter}: keep A's ${knob.label}`}
        title={`A has ${typeof baseValue === 'number' ? formatValue(baseValue) : optionName(knob, baseValue)}`}
      >
        ×
      </button>
    </div>
  );
}
