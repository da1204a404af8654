/**
 * The knob registry (src/config/knobs.ts) and what derives from it: every config leaf is one knob
 * with a range read from the schema; the loop's restart test, compare mode's shared keys, the
 * link's key table and the controls' layout all follow the registry, so a knob's facts cannot
 * disagree between them.
 */
import { describe, expect, it } from 'vitest';
import { SHARED_KEYS, variantField } from '../../src/config/compareVariants';
import {
  KNOBS,
  knobByKey,
  knobChanges,
  readLeaf,
  restartKnobs,
  withLeaf,
  withLiveKnobs,
  type Knob,
} from '../../src/config/knobs';
import { defaultConfig } from '../../src/config/parse';
import { experimentConfigSchema, type ExperimentConfig } from '../../src/config/schema';
import { decodeHash } from '../../src/config/urlCodec';
import { urlKeyTable } from '../../src/config/urlKeys';
import { restartKnobs as loopRestartKnobs } from '../../src/experiment';
import { KNOB_GROUPS } from '../../app/playground/knobs';

/** Another valid value of the knob than the default config's. */
function otherValue(knob: Knob): string | number {
  const current = readLeaf(defaultConfig, knob);
  if (knob.kind === 'enum') return knob.values.find((value) => value !== current) as string;
  return current === knob.max ? knob.min : knob.max;
}

const changed = (knob: Knob): ExperimentConfig => withLeaf(defaultConfig, knob, otherValue(knob));

describe('knob registry', () => {
  it('has one knob per config leaf, each with a unique key and label, a hint and a range', () => {
    const leaves = Object.entries(defaultConfig).flatMap(([name, value]) =>
      typeof value === 'object'
        ? Object.keys(value as object)
            .filter((leaf) => leaf !== 'realParams')
            .map((leaf) => `${name}.${leaf}`)
        : name === 'version'
          ? []
          : [name],
    );
    expect(KNOBS.map((knob) => knob.path).sort()).toEqual(leaves.sort());
    expect(new Set(KNOBS.map((knob) => knob.key)).size).toBe(KNOBS.length);
    expect(new Set(KNOBS.map((knob) => knob.label)).size).toBe(KNOBS.length);
    for (const knob of KNOBS) {
      expect(knob.hint.length, knob.key).toBeGreaterThan(10);
      // Each value the registry says the knob takes, the schema takes.
      expect(experimentConfigSchema.safeParse(changed(knob)).success, knob.key).toBe(true);
    }
    // The link's keys are the registry's, in its order.
    expect(urlKeyTable.map(([key, path]) => `${key}=${path}`)).toEqual(
      KNOBS.map((knob) => `${knob.key}=${knob.path}`),
    );
  });

  it('reads ranges from the schema: the model learning rate is [1e-5, 0.1], the seed whole', () => {
    expect(knobByKey('lr')).toMatchObject({ kind: 'real', min: 1e-5, max: 0.1, change: 'live' });
    expect(knobByKey('seed')).toMatchObject({ kind: 'int', min: 0, change: 'restart' });
    expect(knobByKey('act')).toMatchObject({ kind: 'enum', change: 'restart' });
  });

  it('derives the restart test: a restart knob alone needs a fresh run, a live knob alone does not', () => {
    for (const knob of KNOBS) {
      const expected = knob.change === 'restart' ? [knob.path] : [];
      expect(restartKnobs(defaultConfig, changed(knob)), knob.key).toEqual(expected);
      // The loop's own test is the registry's.
      expect(loopRestartKnobs(defaultConfig, changed(knob)), knob.key).toEqual(expected);
    }
    const perturbed = {
      ...defaultConfig,
      env: { ...defaultConfig.env, realParams: { m: 1.5 } },
    };
    expect(restartKnobs(defaultConfig, perturbed)).toEqual(['env.realParams']);
    // What the run cannot take on the fly: shapes of tensors, the data, the judge.
    const restart = KNOBS.filter((knob) => knob.change === 'restart').map((knob) => knob.key);
    expect(restart).toEqual(
      expect.arrayContaining(['seed', 'be', 'env', 'width', 'ens', 'opt', 'obj', 'evep', 'evlen']),
    );
    const live = KNOBS.filter((knob) => knob.change === 'live').map((knob) => knob.key);
    expect(live).toEqual(expect.arrayContaining(['lr', 'plr', 'it', 'steps', 'H', 'B', 'strength']));
  });

  it('lists what changed, in link order, and keeps waiting changes out of what a run can take now', () => {
    const { width, learningRate } = defaultConfig.model;
    const edited = withLeaf(
      withLeaf(defaultConfig, knobByKey('width') as Knob, width + 1),
      knobByKey('lr') as Knob,
      learningRate * 3,
    );
    expect(knobChanges(defaultConfig, edited)).toEqual([
      { key: 'width', from: width, to: width + 1 },
      { key: 'lr', from: learningRate, to: learningRate * 3 },
    ]);
    const now = withLiveKnobs(defaultConfig, edited);
    expect(knobChanges(defaultConfig, now)).toEqual([
      { key: 'lr', from: learningRate, to: learningRate * 3 },
    ]);
    expect(withLiveKnobs(defaultConfig, defaultConfig)).toBe(defaultConfig);
  });

  it('derives compare mode’s shared keys: a variant cannot change a shared knob', () => {
    expect(SHARED_KEYS).toEqual(KNOBS.filter((knob) => knob.shared).map((knob) => knob.key));
    expect(SHARED_KEYS).toEqual(['be']);
    for (const knob of KNOBS) {
      expect(variantField(knob.key) === undefined, knob.key).toBe(knob.shared);
    }
    // No v=: the current version, whatever it is.
    const decoded = decodeHash('cmp=be:cpu;width:64');
    expect(decoded.compare).toEqual([{ width: 64 }]);
    expect(decoded.notices.map((notice) => notice.message).join(' ')).toContain(
      'be is shared by every variant',
    );
  });

  it('lays every knob out once in the controls, the unplaced ones under More settings', () => {
    const shown = KNOB_GROUPS.flatMap((group) => group.knobs.map((knob) => knob.key));
    expect([...shown].sort()).toEqual(KNOBS.map((knob) => knob.key).sort());
    const more = KNOB_GROUPS.find((group) => group.title === 'More settings');
    expect(more?.folded).toBe(true);
    expect(more?.knobs.map((knob) => knob.key)).toContain('strength');
    // The controls show the registry's own entries: label, hint and range come from there.
    expect(KNOB_GROUPS[2].knobs.find((knob) => knob.key === 'lr')).toBe(knobByKey('lr'));
  });
});
