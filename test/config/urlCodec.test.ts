import { afterEach, describe, expect, it, vi } from 'vitest';
import { z } from 'zod';
import { defaultConfig } from '../../src/config/parse';
import { presets } from '../../src/config/presets';
import type * as PresetsModule from '../../src/config/presets';
import { experimentConfigSchema, type ExperimentConfig } from '../../src/config/schema';
import {
  decodeHash,
  encodeConfig,
  isRefusedLink,
  MAX_HASH_LENGTH,
  MAX_URL_PAIRS,
  URL_VERSION,
  type UrlNotice,
  type UrlNoticeKind,
} from '../../src/config/urlCodec';
import { controlGroups, urlKeyTable } from '../../src/config/urlKeys';
import { migratePairs, renameKey, urlMigrations, type UrlMigration } from '../../src/config/urlMigrations';

/** Every leaf of the schema by dotted path, found by walking the schema itself, not the table. */
function schemaLeafPaths(schema: z.ZodType = experimentConfigSchema, prefix = ''): string[] {
  const inner = schema instanceof z.ZodDefault ? (schema.unwrap() as z.ZodType) : schema;
  if (!(inner instanceof z.ZodObject)) return [prefix];
  return Object.entries(inner.shape).flatMap(([name, child]) =>
    schemaLeafPaths(child as z.ZodType, prefix === '' ? name : `${prefix}.${name}`),
  );
}

/** Read specially rather than through the table: `v=` and `real.<param>=`. */
const SPECIAL_LEAVES = ['version', 'env.realParams'];

function withConfig(patch: (config: ExperimentConfig) => void): ExperimentConfig {
  const config = structuredClone(defaultConfig);
  patch(config);
  return config;
}

function kinds(notices: readonly UrlNotice[]): UrlNoticeKind[] {
  return notices.map((notice) => notice.kind);
}

function onlyNotice(hash: string): UrlNotice {
  const { notices } = decodeHash(hash);
  expect(notices).toHaveLength(1);
  return notices[0];
}

describe('the key table', () => {
  it('gives every knob of the schema a URL key, so a knob added without one fails here', () => {
    const tablePaths = new Set<string>(urlKeyTable.map(([, path]) => path));
    const missing = schemaLeafPaths().filter(
      (path) => !SPECIAL_LEAVES.includes(path) && !tablePaths.has(path),
    );
    expect(missing).toEqual([]);
  });

  it('names only real leaves, each once, with distinct keys that need no escaping', () => {
    const leaves = new Set(schemaLeafPaths());
    const keys = urlKeyTable.map(([key]) => key);
    const paths = urlKeyTable.map(([, path]) => path);
    expect(paths.filter((path) => !leaves.has(path))).toEqual([]);
    expect(new Set(paths).size).toBe(paths.length);
    expect(new Set(keys).size).toBe(keys.length);
    for (const key of keys) {
      expect(encodeURIComponent(key)).toBe(key);
      expect(['v', 'preset', 'hide', 'lesson', 'real', 'cmp', 'seeds']).not.toContain(key);
      expect(key.startsWith('real.')).toBe(false);
    }
  });

  it("has the schema's sections as the control groups a teacher can hide", () => {
    expect(controlGroups).toEqual([
      'env',
      'data',
      'model',
      'reward',
      'imagination',
      'optimiser',
      'risk',
      'objective',
      'evaluation',
    ]);
  });
});

describe('encodeConfig', () => {
  it('writes the defaults as the version alone', () => {
    expect(encodeConfig(defaultConfig)).toBe(`v=${URL_VERSION}`);
    expect(URL_VERSION).toBe(2);
  });

  it('writes changed knobs as short keys, in the table order, real params sorted, classroom last', () => {
    const config = withConfig((c) => {
      c.evaluation.episodes = 4;
      c.model.learningRate = 0.0003;
      c.model.width = 96;
      c.seed = 3;
      c.objective.kind = 'policyAware';
      c.env = { id: 'CartPole-v1', realParams: { masspole: 0.2, gravity: 12 } };
    });
    const hash = encodeConfig(config, {
      hide: ['model', 'risk'],
      lesson: { id: 'intro', step: 2 },
    });
    expect(hash).toBe(
      'v=2&env=CartPole-v1&obj=policyAware&seed=3&width=96&lr=0.0003&evep=4' +
        '&real.gravity=12&real.masspole=0.2&hide=model,risk&lesson=intro.3',
    );
  });

  it('prints numbers shortest-round-trip, without trailing zeros', () => {
    const config = withConfig((c) => {
      c.model.weightDecay = 3e-5;
      c.optimiser.discount = 0.5;
      c.reward.noiseStd = 0.1 + 0.2;
    });
    expect(encodeConfig(config)).toBe('v=2&wd=0.00003&rnoise=0.30000000000000004&gamma=0.5');
    expect(decodeHash(encodeConfig(config)).config).toEqual(config);
  });

  it('writes a lesson at its start as the id alone', () => {
    expect(encodeConfig(defaultConfig, { lesson: { id: 'gap', step: 0 } })).toBe('v=2&lesson=gap');
  });
});

describe('decodeHash: round trips', () => {
  it('reads the defaults from an empty hash, a bare #, and v=2, with no notices', () => {
    for (const hash of ['', '#', 'v=2', '#v=2', '&&v=2&']) {
      expect(decodeHash(hash)).toEqual({
        config: defaultConfig,
        notices: [],
        hide: [],
        lesson: null,
        preset: null,
        compare: [],
        seeds: 1,
      });
    }
  });

  it('gives back the config it was given', () => {
    const config = withConfig((c) => {
      c.seed = 2 ** 31 - 1;
      c.backend = 'wasm';
      c.env = { id: 'Acrobot-v1', realParams: { LINK_MASS_2: 1.75, dt: 0.1 } };
      c.model.depth = 0;
      c.model.activation = 'tanh';
      c.optimiser.kind = 'cem';
      c.optimiser.cemSmoothing = 0.99;
      c.risk = { kind: 'cvar', alpha: 0.05 };
    });
    const decoded = decodeHash(`#${encodeConfig(config)}`);
    expect(decoded.notices).toEqual([]);
    expect(decoded.config).toEqual(config);
  });

  it('accepts a whole URL, and a hash percent-encoded as one string', () => {
    expect(decodeHash('https://lab.example/app/?x=1#v=2&seed=3').config.seed).toBe(3);
    const encoded = encodeURIComponent('v=2&seed=3&env=MountainCar-v0');
    const decoded = decodeHash(encoded);
    expect(decoded.notices).toEqual([]);
    expect(decoded.config.env.id).toBe('MountainCar-v0');
  });

  it('reads percent-encoded keys and values', () => {
    const decoded = decodeHash('v=2&%6Fbj=mn%6D&hide=model%2Crisk');
    expect(decoded.notices).toEqual([]);
    expect(decoded.config.objective.kind).toBe('mnm');
    expect(decoded.hide).toEqual(['model', 'risk']);
  });
});

describe('decodeHash: presets', () => {
  const exploit = experimentConfigSchema.parse(presets.exploit.config);

  it('starts from the preset and lets the other keys override it', () => {
    const decoded = decodeHash('v=2&preset=exploit&width=128&seed=9');
    expect(decoded.notices).toEqual([]);
    expect(decoded.preset).toBe('exploit');
    expect(decoded.config).toEqual({
      ...exploit,
      seed: 9,
      model: { ...exploit.model, width: 128 },
    });
  });

  it('prints only what differs from the preset, including a return to the default', () => {
    const heavy = experimentConfigSchema.parse(presets.heavy.config);
    expect(encodeConfig(heavy, { preset: 'heavy' })).toBe('v=2&preset=heavy');
    const backToDefaultWidth = { ...heavy, model: { ...heavy.model, width: defaultConfig.model.width } };
    const hash = encodeConfig(backToDefaultWidth, { preset: 'heavy' });
    expect(hash).toBe(`v=2&preset=heavy&width=${defaultConfig.model.width}`);
    expect(decodeHash(hash).config).toEqual(backToDefaultWidth);
  });

  it("falls back to the preset's value, not the default, for a bad value", () => {
    const decoded = decodeHash('v=2&preset=exploit&width=wide');
    expect(decoded.config.model.width).toBe(exploit.model.width);
    expect(decoded.notices[0]).toMatchObject({ key: 'width', kind: 'bad-value' });
    expect(decoded.notices[0].message).toContain(`preset exploit's value (${exploit.model.width})`);
  });

  it('reports an unknown preset and starts from the defaults', () => {
    const decoded = decodeHash('v=2&preset=nosuch&seed=4');
    expect(decoded.preset).toBeNull();
    expect(decoded.config).toEqual({ ...defaultConfig, seed: 4 });
    expect(kinds(decoded.notices)).toEqual(['unknown-preset']);
    expect(decoded.notices[0].message).toContain('nosuch');
  });
});

describe('decodeHash: notices', () => {
  it('clamps a number into its schema range', () => {
    const decoded = decodeHash('v=2&width=99999&lr=0');
    expect(decoded.config.model.width).toBe(512);
    expect(decoded.config.model.learningRate).toBe(1e-5);
    expect(decoded.notices).toEqual([
      {
        key: 'width',
        kind: 'clamped',
        message: 'width=99999 is above the maximum 512; set to 512.',
      },
      { key: 'lr', kind: 'clamped', message: 'lr=0 is below the minimum 0.00001; set to 0.00001.' },
    ]);
  });

  it('rounds an integer knob given a fraction', () => {
    const decoded = decodeHash('v=2&H=12.5');
    expect(decoded.config.imagination.horizon).toBe(13);
    expect(kinds(decoded.notices)).toEqual(['rounded']);
  });

  it('keeps the default for anything that is not a plain decimal number', () => {
    for (const bad of ['abc', '0x10', 'Infinity', '1e999', 'NaN', ' 5', '5px', '', '1,5']) {
      const decoded = decodeHash(`v=2&width=${encodeURIComponent(bad)}`);
      expect(decoded.config.model.width, bad).toBe(defaultConfig.model.width);
      expect(kinds(decoded.notices), bad).toEqual(['bad-value']);
    }
  });

  it('validates enums and says what they may be', () => {
    const notice = onlyNotice('v=2&obj=PolicyAware');
    expect(notice).toMatchObject({ key: 'obj', kind: 'bad-value' });
    expect(notice.message).toBe(
      'obj=PolicyAware is not valid: expected one of mse, policyAware, mnm, stackelberg; kept the default (mse).',
    );
  });

  it('reports an unknown key, suggesting the known one a different case away', () => {
    const decoded = decodeHash('v=2&b=64&colour=red');
    expect(decoded.config).toEqual(defaultConfig);
    expect(decoded.notices).toEqual([
      {
        key: 'b',
        kind: 'unknown-key',
        message: "The link's setting b is not one this app knows; it was ignored. Did you mean B?",
      },
      expect.objectContaining({ key: 'colour', kind: 'unknown-key' }),
    ]);
  });

  it('uses the last of a repeated key, so appending to a link overrides it', () => {
    const decoded = decodeHash('v=2&width=32&seed=1&width=64');
    expect(decoded.config.model.width).toBe(64);
    expect(decoded.notices).toEqual([
      {
        key: 'width',
        kind: 'duplicate',
        message: 'width appears 2 times in the link; the last one (width=64) was used.',
      },
    ]);
  });

  it('reads a link without a version as the current one, silently (the README writes #lesson=3.2)', () => {
    const decoded = decodeHash('seed=5');
    expect(decoded.config.seed).toBe(5);
    expect(decoded.notices).toEqual([]);
    expect(decodeHash('#lesson=3.2')).toMatchObject({ lesson: { id: '3', step: 1 }, notices: [] });
    expect(decodeHash('').notices).toEqual([]);
  });

  it('reports settings with no name once, as such, not as a key repeated or unknown', () => {
    const decoded = decodeHash('v=2&=&==&=1&seed==');
    expect(decoded.config).toEqual(defaultConfig);
    expect(decoded.notices).toEqual([
      {
        key: '(no name)',
        kind: 'unknown-key',
        message: 'The link has 3 settings with no name ("=", "==", "=1"); they were ignored.',
      },
      expect.objectContaining({ key: 'seed', kind: 'bad-value' }),
    ]);
    expect(onlyNotice('v=2&=5&seed=2')).toEqual({
      key: '(no name)',
      kind: 'unknown-key',
      message: 'The link has a setting with no name ("=5"); it was ignored.',
    });
  });

  it('reads a malformed version as the current one, with a notice', () => {
    const decoded = decodeHash('v=one&seed=5');
    expect(decoded.config.seed).toBe(5);
    expect(kinds(decoded.notices)).toEqual(['bad-value']);
  });

  it('ignores a pair with a broken %-escape and keeps the rest', () => {
    const decoded = decodeHash('v=2&width=%E0%A4%A&seed=%zz&depth=1&%=3');
    expect(decoded.config).toEqual(withConfig((c) => (c.model.depth = 1)));
    expect(kinds(decoded.notices)).toEqual(['bad-value', 'bad-value', 'bad-value']);
  });

  it('asks for a value when a known key has none', () => {
    expect(onlyNotice('v=2&width')).toEqual({
      key: 'width',
      kind: 'bad-value',
      message: 'width has no value: write it as width=value.',
    });
  });

  it('reads only the first 8 kB of a link, cut at a pair boundary', () => {
    const padding = '&junk=' + 'x'.repeat(MAX_HASH_LENGTH);
    const decoded = decodeHash(`v=2&seed=7${padding}&width=96`);
    expect(decoded.config.seed).toBe(7);
    expect(decoded.config.model.width).toBe(defaultConfig.model.width);
    expect(kinds(decoded.notices)).toEqual(['too-long']);
  });

  it('reads only the first few hundred pairs of a link', () => {
    const pairs = Array.from({ length: MAX_URL_PAIRS + 50 }, () => 'seed=2');
    const decoded = decodeHash(`v=2&${pairs.join('&')}&width=96`);
    expect(decoded.config.seed).toBe(2);
    expect(decoded.config.model.width).toBe(defaultConfig.model.width);
    expect(kinds(decoded.notices)).toEqual(['too-many-keys', 'duplicate']);
  });
});

describe('decodeHash: real-world params', () => {
  it('reads real.<param> for the chosen env, clamping into its range', () => {
    const decoded = decodeHash('v=2&real.g=12&real.m=40&env=Pendulum-v1');
    expect(decoded.config.env.realParams).toEqual({ g: 12, m: 2 });
    expect(decoded.notices).toEqual([
      {
        key: 'real.m',
        kind: 'clamped',
        message: 'real.m=40 is above the maximum 2 for Pendulum-v1; set to 2.',
      },
    ]);
  });

  it('checks the param against the env the link ends up with, wherever env= stands', () => {
    const decoded = decodeHash('v=2&real.gravity=12&real.g=12&env=CartPole-v1');
    expect(decoded.config.env).toEqual({ id: 'CartPole-v1', realParams: { gravity: 12 } });
    expect(decoded.notices).toEqual([
      expect.objectContaining({ key: 'real.g', kind: 'unknown-param' }),
    ]);
    expect(decoded.notices[0].message).toContain('CartPole-v1 has no real-world parameter g');
  });

  it('refuses params that exist but are not meant to be perturbed, and non-numbers', () => {
    const decoded = decodeHash(
      'v=2&env=CartPole-v1&real.x_threshold=3&real.total_mass=2&real.tau=fast',
    );
    expect(decoded.config.env.realParams).toEqual({});
    expect(kinds(decoded.notices)).toEqual(['unknown-param', 'unknown-param', 'bad-value']);
  });

  it('takes real=nominal as "no real-world changes" and rejects other values of real', () => {
    expect(decodeHash('v=2&real=nominal').notices).toEqual([]);
    expect(onlyNotice('v=2&real=mars')).toMatchObject({ key: 'real', kind: 'bad-value' });
  });
});

describe('decodeHash: versions', () => {
  it('refuses a link from a newer app, saying so, and shows the defaults', () => {
    const decoded = decodeHash('v=3&preset=exploit&width=64&hide=model&lesson=intro');
    expect(decoded).toEqual({
      config: defaultConfig,
      notices: [expect.objectContaining({ key: 'v', kind: 'unsupported-version' })],
      hide: [],
      lesson: null,
      preset: null,
      compare: [],
      seeds: 1,
    });
    expect(decoded.notices[0].message).toContain('made by a newer version of the app');
    // The app keeps a refused link in the address bar (reloading a newer app reads it).
    expect(isRefusedLink(decoded)).toBe(true);
    expect(isRefusedLink(decodeHash('v=one&width=wide'))).toBe(false);
  });

  it('refuses an older version with no migration path', () => {
    const decoded = decodeHash('v=0&width=64');
    expect(decoded.config).toEqual(defaultConfig);
    expect(kinds(decoded.notices)).toEqual(['unsupported-version']);
    expect(decoded.notices[0].message).toContain('older version');
  });

  it('migrates an older link through the table before reading it', () => {
    // A synthetic version 0 that spelled the objective out and named seeds `s`; then the real 1 → 2.
    const fromV0: UrlMigration = {
      change: '"objective" is now "obj" and "s" is now "seed"',
      migrate: (pairs) =>
        renameKey('s', 'seed').migrate(renameKey('objective', 'obj').migrate(pairs)),
    };
    const table = new Map([[0, fromV0], ...urlMigrations]);
    const decoded = decodeHash('v=0&objective=mnm&s=4&width=96', table);
    expect(decoded.config).toEqual(
      withConfig((c) => {
        c.objective.kind = 'mnm';
        c.seed = 4;
        c.model.width = 96;
        c.model.ensembleSize = 5;
        c.model.trainStepsPerIteration = 200;
        c.data.realStepsPerIteration = 200;
        c.imagination.rollouts = 256;
        c.optimiser.stepsPerIteration = 50;
        c.optimiser.learningRate = 1e-3;
        c.evaluation.episodes = 8;
      }),
    );
    expect(decoded.notices).toEqual([
      {
        key: 'v',
        kind: 'migrated',
        message:
          'This link was made by an older version of the app (v=0) and was updated: "objective" is now "obj" and "s" is now "seed".',
      },
      expect.objectContaining({ key: 'v', kind: 'migrated', message: expect.stringContaining('the defaults it was made with are written out') }),
    ]);
  });

  it('reads a version-1 link with version 1’s defaults where it names none, not with a preset', () => {
    const decoded = decodeHash('v=1&seed=3&width=32');
    expect(kinds(decoded.notices)).toEqual(['migrated']);
    expect(decoded.config).toEqual(
      withConfig((c) => {
        c.seed = 3;
        c.model.width = 32;
        c.model.ensembleSize = 5;
        c.model.trainStepsPerIteration = 200;
        c.data.realStepsPerIteration = 200;
        c.imagination.rollouts = 256;
        c.optimiser.stepsPerIteration = 50;
        c.optimiser.learningRate = 1e-3;
        c.evaluation.episodes = 8;
      }),
    );
    // Version 1's defaults are the heavy preset's settings.
    expect(decodeHash('v=1').config).toEqual(experimentConfigSchema.parse(presets.heavy.config));
    // A preset names every knob whose default changed: its link means what it meant.
    expect(decodeHash('v=1&preset=exploit&seed=2').config).toEqual({ ...experimentConfigSchema.parse(presets.exploit.config), seed: 2 });
  });

  it('chains migrations in order and names the first missing step', () => {
    const appendTo = (suffix: string): UrlMigration => ({
      change: suffix,
      migrate: (pairs) => pairs.map(({ key, value }) => ({ key, value: value + suffix })),
    });
    const table = new Map([
      [0, appendTo('a')],
      [1, appendTo('b')],
      [2, appendTo('c')],
    ]);
    expect(migratePairs([{ key: 'k', value: '' }], 0, 3, table)).toEqual({
      ok: true,
      pairs: [{ key: 'k', value: 'abc' }],
      applied: ['a', 'b', 'c'],
    });
    expect(migratePairs([], 1, 3, table)).toMatchObject({ ok: true, applied: ['b', 'c'] });
    table.delete(1);
    expect(migratePairs([], 0, 3, table)).toEqual({ ok: false, missingFrom: 1 });
  });
});

describe('decodeHash: classroom keys', () => {
  it('reads hide= as known control groups, once each, reporting unknown ones', () => {
    const decoded = decodeHash('v=2&hide=model,risk,,model,advanced');
    expect(decoded.hide).toEqual(['model', 'risk']);
    expect(decoded.notices).toEqual([expect.objectContaining({ key: 'hide', kind: 'bad-value' })]);
    expect(decoded.notices[0].message).toContain('advanced');
  });

  it('reads lesson=ID.N (N-th step, from 1), lesson=ID, and the first format ID:K (from 0)', () => {
    expect(decodeHash('v=2&lesson=3.2').lesson).toEqual({ id: '3', step: 1 });
    expect(decodeHash('v=2&lesson=3.1').lesson).toEqual({ id: '3', step: 0 });
    expect(decodeHash('v=2&lesson=intro-2:3').lesson).toEqual({ id: 'intro-2', step: 3 });
    expect(decodeHash('v=2&lesson=gap').lesson).toEqual({ id: 'gap', step: 0 });
    expect(encodeConfig(defaultConfig, { lesson: { id: '3', step: 1 } })).toBe('v=2&lesson=3.2');
  });

  it('refuses step 0 in the 1-based form, opening the lesson at its start', () => {
    const decoded = decodeHash('v=2&lesson=3.0');
    expect(decoded.lesson).toEqual({ id: '3', step: 0 });
    expect(kinds(decoded.notices)).toEqual(['bad-value']);
  });

  it('says what was wrong with seeds=: out of range, not whole, or both', () => {
    const message = (hash: string) => onlyNotice(hash).message;
    expect(message('v=2&seeds=1000')).toBe('seeds=1000 is not from 1 to 5; set to 5.');
    expect(message('v=2&seeds=0')).toBe('seeds=0 is not from 1 to 5; set to 1.');
    expect(message('v=2&seeds=2.5')).toBe('seeds=2.5 is not a whole number; set to 3.');
    expect(message('v=2&seeds=7.5')).toBe(
      'seeds=7.5 is neither a whole number nor from 1 to 5; set to 5.',
    );
  });

  it('reads any whole step number, however large, for the app to check against the lesson', () => {
    expect(decodeHash('v=2&lesson=1.4')).toMatchObject({
      lesson: { id: '1', step: 3 },
      notices: [],
    });
    expect(decodeHash('v=2&lesson=1.99999999')).toMatchObject({
      lesson: { id: '1', step: 99999998 },
      notices: [],
    });
    expect(decodeHash('v=2&lesson=1:12345678')).toMatchObject({
      lesson: { id: '1', step: 12345678 },
      notices: [],
    });
    // Past what a number holds exactly: the lesson opens at its start, and the notice says why.
    const huge = decodeHash(`v=2&lesson=1.${'9'.repeat(20)}`);
    expect(huge.lesson).toEqual({ id: '1', step: 0 });
    expect(kinds(huge.notices)).toEqual(['bad-value']);
    expect(huge.notices[0].message).toContain('at most 15 digits');
  });

  it('reads seeds= as a whole number from 1 to 5, clamping or rounding with a notice', () => {
    expect(decodeHash('v=2&seeds=3')).toMatchObject({ seeds: 3, notices: [] });
    expect(decodeHash('v=2&seeds=9')).toMatchObject({
      seeds: 5,
      notices: [expect.objectContaining({ key: 'seeds', kind: 'clamped' })],
    });
    expect(decodeHash('v=2&seeds=2.4')).toMatchObject({
      seeds: 2,
      notices: [expect.objectContaining({ key: 'seeds', kind: 'rounded' })],
    });
    expect(decodeHash('v=2&seeds=many')).toMatchObject({
      seeds: 1,
      notices: [expect.objectContaining({ key: 'seeds', kind: 'bad-value' })],
    });
    expect(encodeConfig(defaultConfig, { seeds: 1 })).toBe('v=2');
    expect(encodeConfig(defaultConfig, { seeds: 4 })).toBe('v=2&seeds=4');
  });

  it('opens a lesson at its start when the step is garbled, and none when the id is', () => {
    const garbledStep = decodeHash('v=2&lesson=gap:three');
    expect(garbledStep.lesson).toEqual({ id: 'gap', step: 0 });
    expect(kinds(garbledStep.notices)).toEqual(['bad-value']);
    for (const id of ['../etc', '', ':3', 'a b', 'x'.repeat(65)]) {
      const decoded = decodeHash(`v=2&lesson=${encodeURIComponent(id)}`);
      expect(decoded.lesson, id).toBeNull();
      expect(kinds(decoded.notices), id).toEqual(['bad-value']);
    }
  });

  it('round-trips the preset, hidden groups and lesson with the config', () => {
    const extras = {
      preset: 'healthy',
      hide: ['reward', 'env'],
      lesson: { id: 'gap', step: 4 },
    } as const;
    const config = withConfig((c) => (c.seed = 11));
    const decoded = decodeHash(encodeConfig(config, extras));
    expect(decoded.notices).toEqual([]);
    expect(decoded.preset).toBe('healthy');
    expect(decoded.hide).toEqual(['reward', 'env']);
    expect(decoded.lesson).toEqual({ id: 'gap', step: 4 });
    expect(decoded.config).toEqual(config);
  });
});

describe('compare mode (cmp=)', () => {
  it('reads variants as overrides of the base, with the link keys, checked like the link', () => {
    const decoded = decodeHash('v=2&cmp=obj:policyAware,obj:mnm;width:64&width=32');
    expect(decoded.notices).toEqual([]);
    expect(decoded.config.model.width).toBe(32);
    expect(decoded.compare).toEqual([{ obj: 'policyAware' }, { obj: 'mnm', width: 64 }]);
  });

  it('prints variants after the config, each in table order, and reads them back', () => {
    const compare = [{ width: 64, obj: 'mnm' }, { steps: 50 }];
    const hash = encodeConfig(defaultConfig, { compare, seeds: 3 });
    expect(hash).toBe('v=2&cmp=obj:mnm;width:64,steps:50&seeds=3');
    const decoded = decodeHash(hash);
    expect(decoded.notices).toEqual([]);
    expect(decoded.compare).toEqual(compare);
    expect(decoded.seeds).toBe(3);
  });

  it('drops empty variants, saying so: a copy of the base is not a comparison', () => {
    const decoded = decodeHash('v=2&cmp=,,');
    expect(decoded.compare).toEqual([]);
    expect(decoded.notices).toEqual([
      {
        key: 'cmp',
        kind: 'bad-value',
        message: 'cmp=,, has 3 empty variants (nothing between its commas); they were dropped.',
      },
    ]);
    const mixed = decodeHash('v=2&cmp=obj:mnm,;,width:64');
    expect(mixed.compare).toEqual([{ obj: 'mnm' }, { width: 64 }]);
    expect(mixed.notices.map((notice) => notice.message)).toEqual([
      'cmp="obj:mnm,;,width:64" has an empty variant (nothing between its commas); it was dropped.',
    ]);
    expect(onlyNotice('v=2&cmp=').message).toBe('cmp has no value: no variant was added.');
    // A variant whose every change was refused is dropped too, after the reasons.
    const refused = decodeHash('v=2&cmp=colour:red,obj:mnm');
    expect(refused.compare).toEqual([{ obj: 'mnm' }]);
    expect(refused.notices.at(-1)?.message).toBe(
      'Compare variant B was left with nothing to change, so it was dropped.',
    );
    // A variant with nothing to change is not printed either, so a link never carries one.
    expect(encodeConfig(defaultConfig, { compare: [{}, { width: 64 }, {}] })).toBe(
      'v=2&cmp=width:64',
    );
    expect(encodeConfig(defaultConfig, { compare: [{}] })).toBe('v=2');
  });

  it('clamps a variant value into range and drops a bad one, naming the variant', () => {
    const decoded = decodeHash('v=2&preset=exploit&cmp=width:9999,obj:best;steps:50');
    expect(decoded.compare).toEqual([{ width: 512 }, { steps: 50 }]);
    expect(decoded.notices).toEqual([
      {
        key: 'cmp',
        kind: 'clamped',
        message: 'In compare variant B: width=9999 is above the maximum 512; set to 512.',
      },
      expect.objectContaining({ key: 'cmp', kind: 'bad-value' }),
    ]);
    expect(decoded.notices[1].message).toContain('compare variant C');
    expect(decoded.notices[1].message).toContain("kept the base's value (mse)");
  });

  it('refuses unknown keys, the shared backend, items without a value, and a fifth config', () => {
    const decoded = decodeHash('v=2&cmp=colour:red;be:cpu;width,it:3,it:4,it:5,it:6');
    // B changes nothing once its items are refused, so it is dropped and it:5 fits.
    expect(decoded.compare).toEqual([{ it: 3 }, { it: 4 }, { it: 5 }]);
    expect(kinds(decoded.notices)).toEqual([
      'bad-value',
      'bad-value',
      'bad-value',
      'bad-value',
      'bad-value',
    ]);
    const messages = decoded.notices.map((notice) => notice.message).join('\n');
    expect(messages).toContain('at most 3 variants');
    expect(messages).toContain('be is shared by every variant');
    expect(messages).toContain('colour is not a setting a variant can change');
    expect(messages).toContain('KEY:VALUE');
  });

  it('uses the last of a key repeated within a variant, saying so', () => {
    const decoded = decodeHash('v=2&cmp=width:32;width:64');
    expect(decoded.compare).toEqual([{ width: 64 }]);
    expect(kinds(decoded.notices)).toEqual(['duplicate']);
  });

  it('leaves links without cmp= or seeds= as they were: no variants, one seed', () => {
    const decoded = decodeHash('v=2&preset=exploit&width=128');
    expect(decoded.compare).toEqual([]);
    expect(decoded.seeds).toBe(1);
    expect(encodeConfig(decoded.config, { preset: 'exploit', compare: [] })).toBe(
      'v=2&preset=exploit&width=128',
    );
  });

  it('never writes link-chosen names into a variant', () => {
    const decoded = decodeHash('v=2&cmp=__proto__:1;constructor:2;toString:3;width:64');
    expect(decoded.compare).toEqual([{ width: 64 }]);
    expect(Object.getPrototypeOf(decoded.compare[0])).toBe(Object.prototype);
    expect(({} as Record<string, unknown>)['1']).toBeUndefined();
  });
});

describe('decodeHash: hostile input', () => {
  it('never writes link-chosen names onto objects', () => {
    const hash = [
      '__proto__=1',
      'constructor=x',
      '__proto__.polluted=1',
      'real.__proto__=5',
      'real.constructor=1',
      'real.toString=2',
      'real.hasOwnProperty=3',
      '%5F%5Fproto%5F%5F=1',
      'preset=__proto__',
      'preset=toString',
      'hide=__proto__,constructor',
      'lesson=__proto__',
    ].join('&');
    const decoded = decodeHash(hash);
    expect(({} as Record<string, unknown>).polluted).toBeUndefined();
    expect(Object.getPrototypeOf(decoded.config.env.realParams)).toBe(Object.prototype);
    expect(Object.keys(decoded.config.env.realParams)).toEqual([]);
    expect(decoded.preset).toBeNull();
    expect(decoded.hide).toEqual([]);
    expect(experimentConfigSchema.parse(decoded.config)).toEqual(decoded.config);
  });

  it('does not throw on input that is not a string at all', () => {
    for (const input of [undefined, null, 42, {}, Symbol('x')]) {
      expect(decodeHash(input as unknown as string).config).toEqual(defaultConfig);
    }
  });

  it('quotes hostile text in messages shortly and escaped', () => {
    const key = `\u0000${'k'.repeat(5000)}`;
    const notice = onlyNotice(`v=2&${key}=1`);
    expect(notice.key.length).toBeLessThanOrEqual(41);
    expect(notice.message.length).toBeLessThan(200);
    expect(notice.message).not.toContain('\u0000');
  });
});

describe('presets whose real world differs', () => {
  afterEach(() => {
    vi.doUnmock('../../src/config/presets');
    vi.resetModules();
  });

  it('merge real.<param> onto the preset, and clear it with real=nominal', async () => {
    vi.resetModules();
    vi.doMock('../../src/config/presets', async (importOriginal) => {
      const original = await importOriginal<typeof PresetsModule>();
      return {
        ...original,
        presets: {
          ...original.presets,
          heavy: {
            title: 'Heavy',
            summary: 'A heavier, stronger-gravity pendulum.',
            config: { env: { id: 'Pendulum-v1', realParams: { g: 12, m: 1.5 } } },
          },
        },
        isPresetName: (name: string) => name === 'heavy' || original.isPresetName(name),
      };
    });
    const codec = await import('../../src/config/urlCodec');
    const preset = 'heavy' as never;

    const merged = codec.decodeHash('v=2&preset=heavy&real.l=1.5&real.g=11');
    expect(merged.notices).toEqual([]);
    expect(merged.config.env.realParams).toEqual({ g: 11, m: 1.5, l: 1.5 });
    expect(codec.encodeConfig(merged.config, { preset })).toBe(
      'v=2&preset=heavy&real.g=11&real.l=1.5',
    );

    const dropped = withConfig((c) => (c.env.realParams = { m: 1.5 }));
    const hash = codec.encodeConfig(dropped, { preset });
    expect(hash).toBe('v=2&preset=heavy&real=nominal&real.m=1.5');
    expect(codec.decodeHash(hash).config).toEqual(dropped);

    const otherEnv = codec.decodeHash('v=2&preset=heavy&env=CartPole-v1');
    expect(otherEnv.config.env).toEqual({ id: 'CartPole-v1', realParams: {} });
    expect(kinds(otherEnv.notices)).toEqual(['unknown-param', 'unknown-param']);
  });
});
