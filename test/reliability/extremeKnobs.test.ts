/**
 * Every knob of the schema at its extremes, through the lab as a user runs it (a config file):
 * each numeric knob at its min and at its max, each enum knob at every value, one at a time on a
 * tiny base config. Each must either complete with finite reports, or be refused before anything
 * runs with a message naming what was refused — never crash with an obscure error, never leak a
 * tensor, never hang. The knobs are read from the zod schema, so a new knob is covered the day it
 * is added (and a new kind of knob fails here until it is).
 *
 * A knob that only matters in some setting is tried in that setting (CEM knobs with the CEM
 * optimiser, reward noise with REINFORCE, …), which may itself be refused while the loop cannot run
 * it yet (the policy-aware objectives): a clear refusal is accepted, and a run too.
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import * as tf from '@tensorflow/tfjs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { z } from 'zod';
import { initBackend } from '../../src/backend';
import { runLab, type LabResult } from '../../src/cli/labRunner';
import { parseConfig } from '../../src/config/parse';
import { assertWithinMemoryBudget, MemoryBudgetError } from '../../src/config/resourceEstimate';
import { experimentConfigSchema, type ExperimentConfigInput } from '../../src/config/schema';
import type { OracleRun } from '../../src/policies/oracle';
import { iterationReportSchema } from '../../src/report';
import { numbersIn } from '../experiment/helpers';

type Knob =
  | { readonly kind: 'number'; readonly path: string; readonly min: number; readonly max: number }
  | { readonly kind: 'enum'; readonly path: string; readonly values: readonly string[] }
  | { readonly kind: 'other'; readonly path: string };

/** Every leaf of the schema, defaults unwrapped, by dotted path. */
function knobsOf(schema: z.ZodType, path = ''): Knob[] {
  const node = schema instanceof z.ZodDefault ? (schema.unwrap() as z.ZodType) : schema;
  if (node instanceof z.ZodObject) {
    return Object.entries(node.shape as Record<string, z.ZodType>).flatMap(([key, child]) =>
      knobsOf(child, path === '' ? key : `${path}.${key}`),
    );
  }
  if (node instanceof z.ZodNumber) {
    return [
      { kind: 'number', path, min: node.minValue ?? Number.NaN, max: node.maxValue ?? Number.NaN },
    ];
  }
  if (node instanceof z.ZodEnum) return [{ kind: 'enum', path, values: node.options.map(String) }];
  return [{ kind: 'other', path }];
}

/** Tiny everywhere: a run takes a few tenths of a second on WASM. */
const BASE: ExperimentConfigInput = {
  seed: 3,
  iterations: 1,
  backend: 'wasm',
  env: { id: 'Pendulum-v1' },
  data: { initialRandomSteps: 50, realStepsPerIteration: 10, bufferSize: 500 },
  model: { ensembleSize: 2, width: 8, depth: 1, trainStepsPerIteration: 4, batchSize: 16 },
  imagination: { rollouts: 8, horizon: 3 },
  optimiser: {
    kind: 'gradient',
    stepsPerIteration: 2,
    policyWidth: 8,
    policyDepth: 1,
    cemPopulation: 16,
    cemElites: 4,
    cemIterations: 2,
    cemHorizon: 4,
  },
  evaluation: { episodes: 1, episodeLength: 10 },
};

/** The setting in which a knob does something (else it would be tried where it is ignored). */
const SETTINGS: readonly [RegExp, Record<string, Record<string, unknown>>][] = [
  [/^optimiser\.cem/, { optimiser: { kind: 'cem' } }],
  [/^reward\.noiseStd$/, { optimiser: { kind: 'reinforce' } }],
  [/^risk\.alpha$/, { risk: { kind: 'cvar' } }],
  [
    /^objective\.(strength|adversaryShare|adversarySignal)$/,
    { objective: { kind: 'policyAware' } },
  ],
  [/^objective\.ballRadius$/, { objective: { kind: 'stackelberg' } }],
  // Knobs that count steps are long at their max by design: the rest shrinks to keep each step cheap.
  [
    /^optimiser\.stepsPerIteration$/,
    { imagination: { rollouts: 1, horizon: 1 }, model: { ensembleSize: 1, width: 4, depth: 0 } },
  ],
  [
    /^model\.trainStepsPerIteration$/,
    { model: { ensembleSize: 1, width: 4, depth: 0, batchSize: 8 } },
  ],
  // About five passes over the simulator's transitions: fewer, larger steps for the same passes.
  [
    /^model\.pretrainTransitions$/,
    { model: { ensembleSize: 1, width: 4, depth: 0, batchSize: 1024 } },
  ],
];

/** The enum values a knob's setting chooses, e.g. "cem" for the CEM knobs. */
function settingWords(path: string): string[] {
  return SETTINGS.filter(([pattern]) => pattern.test(path)).flatMap(([, setting]) =>
    Object.values(setting).flatMap((values) =>
      Object.values(values).filter((v): v is string => typeof v === 'string'),
    ),
  );
}

/** Long legitimately (every iteration is work): run two iterations, then stop as a user would. */
const STOP_AFTER_REPORTS: Readonly<Record<string, number>> = { iterations: 2 };

/** BASE, with a knob's setting and then the knob's value merged in. */
function configFor(path: string, value: unknown): Record<string, unknown> {
  const config = structuredClone(BASE) as Record<string, unknown>;
  const set = (target: Record<string, unknown>, dotted: string, v: unknown) => {
    const parts = dotted.split('.');
    let node = target;
    for (const part of parts.slice(0, -1)) {
      node[part] = { ...((node[part] as object | undefined) ?? {}) };
      node = node[part] as Record<string, unknown>;
    }
    node[parts[parts.length - 1]] = v;
  };
  for (const [pattern, setting] of SETTINGS) {
    if (!pattern.test(path)) continue;
    for (const [section, values] of Object.entries(setting)) {
      for (const [key, v] of Object.entries(values)) set(config, `${section}.${key}`, v);
    }
  }
  set(config, path, value);
  return config;
}

type Outcome = 'ran' | 'stopped' | 'refused by the lab' | 'refused by the loop' | 'crashed';

interface Case {
  readonly label: string;
  readonly path: string;
  readonly value: unknown;
}

const dir = mkdtempSync(join(tmpdir(), 'extreme-knobs-'));
// The tensor count is read before the first run chooses its backend.
beforeAll(() => initBackend({ preference: 'wasm' }));
afterAll(() => rmSync(dir, { recursive: true, force: true }));
/** The worker keeps the oracle across runs of the same world, and so does this test. */
const oracleCache = new Map<string, OracleRun>();

async function runCase(
  c: Case,
  index: number,
): Promise<{ outcome: Outcome; detail: string; seconds: number }> {
  const file = join(dir, `case-${index}.json`);
  writeFileSync(file, JSON.stringify(configFor(c.path, c.value)));
  const errors: string[] = [];
  const stopAfter = STOP_AFTER_REPORTS[c.path];
  const controller = new AbortController();
  let reportsSeen = 0;
  const tensorsBefore = tf.memory().numTensors;
  const started = performance.now();
  let result: LabResult;
  try {
    result = await runLab(
      ['--config', file, '--quiet'],
      { out: () => {}, err: (line) => errors.push(line) },
      {
        oracleCache,
        signal: controller.signal,
        onReport: () => {
          if (stopAfter !== undefined && ++reportsSeen >= stopAfter) controller.abort();
        },
      },
    );
  } catch (error) {
    return { outcome: 'crashed', detail: `runLab threw: ${String(error)}`, seconds: 0 };
  }
  const seconds = (performance.now() - started) / 1000;
  const said = errors.join('\n');
  const leaked = tf.memory().numTensors - tensorsBefore;
  if (leaked !== 0)
    return { outcome: 'crashed', detail: `${leaked} tensors left behind; ${said}`, seconds };
  // A refusal must name what it refused: the knob (by its key), the enum value given, or the
  // setting the knob was tried in (an objective the loop cannot run yet, say).
  const words = [
    c.path.split('.').pop() ?? c.path,
    ...(typeof c.value === 'string' ? [c.value] : []),
    ...settingWords(c.path),
  ];
  const names = (text: string) => words.some((word) => text.includes(word));
  if (result.code === 2) {
    return names(said)
      ? { outcome: 'refused by the lab', detail: said.split('\n')[0], seconds }
      : { outcome: 'crashed', detail: `refused without naming ${c.path}: ${said}`, seconds };
  }
  if (result.code === 1) {
    const failure = result.failure;
    if (failure !== null && failure.stage === 'setup' && names(failure.message)) {
      return { outcome: 'refused by the loop', detail: failure.message, seconds };
    }
    return { outcome: 'crashed', detail: said, seconds };
  }
  const output = result.output;
  if (output === null) return { outcome: 'crashed', detail: `no output; ${said}`, seconds };
  const reports = output.runs.flatMap((run) => run.reports);
  const expected = Math.min(stopAfter ?? Infinity, output.config.iterations);
  if (reports.length !== expected) {
    return {
      outcome: 'crashed',
      detail: `${reports.length} reports, expected ${expected}`,
      seconds,
    };
  }
  for (const report of reports) {
    const valid = iterationReportSchema.safeParse(report);
    if (!valid.success)
      return { outcome: 'crashed', detail: `report invalid: ${valid.error.message}`, seconds };
    const bad = numbersIn(report).filter(([, v]) => !Number.isFinite(v));
    if (bad.length > 0) {
      return {
        outcome: 'crashed',
        detail: `non-finite ${bad.map(([p, v]) => `${p}=${v}`).join(', ')}`,
        seconds,
      };
    }
  }
  return {
    outcome: result.stopped ? 'stopped' : 'ran',
    detail: `${reports.length} report(s)`,
    seconds,
  };
}

const knobs = knobsOf(experimentConfigSchema);

describe('every knob at its extremes', () => {
  it('covers the schema: every leaf is a bounded number or an enum, except the two read specially', () => {
    expect(knobs.filter((k) => k.kind === 'other').map((k) => k.path)).toEqual([
      'version',
      'env.realParams',
    ]);
    for (const knob of knobs) {
      if (knob.kind === 'number')
        expect(Number.isFinite(knob.min + knob.max), knob.path).toBe(true);
    }
  });

  it(
    'runs each numeric min and max and each enum value, or refuses it up front by name',
    { timeout: 300_000 },
    async () => {
      const cases: Case[] = knobs.flatMap((knob): Case[] => {
        if (knob.kind === 'number') {
          return [
            { label: `${knob.path}=${knob.min} (min)`, path: knob.path, value: knob.min },
            { label: `${knob.path}=${knob.max} (max)`, path: knob.path, value: knob.max },
          ];
        }
        if (knob.kind === 'enum') {
          return knob.values.map((value) => ({
            label: `${knob.path}=${value}`,
            path: knob.path,
            value,
          }));
        }
        return [];
      });
      const results: { c: Case; outcome: Outcome; detail: string; seconds: number }[] = [];
      for (const [index, c] of cases.entries()) results.push({ c, ...(await runCase(c, index)) });

      const count = (...outcomes: Outcome[]) =>
        results.filter((r) => outcomes.includes(r.outcome)).length;
      const slowest = results.reduce((a, b) => (b.seconds > a.seconds ? b : a));
      console.log(
        `extreme knobs: ${cases.length} cases (${knobs.filter((k) => k.kind === 'number').length} numeric knobs × min/max, ` +
          `${knobs.filter((k) => k.kind === 'enum').length} enum knobs × values): ` +
          `${count('ran')} ran, ${count('stopped')} stopped by the user after 2 iterations, ` +
          `${count('refused by the lab')} refused up front by the lab, ${count('refused by the loop')} refused up front by the loop, ` +
          `${count('crashed')} crashed; slowest ${slowest.c.label} ${slowest.seconds.toFixed(1)} s`,
      );
      if (process.env.EXTREME_KNOBS_TIMES !== undefined) {
        for (const r of [...results].sort((a, b) => b.seconds - a.seconds))
          console.log(`  ${r.seconds.toFixed(2)} s ${r.c.label} ${r.outcome}`);
      }
      for (const r of results.filter((r) => r.outcome.startsWith('refused'))) {
        console.log(`  refused: ${r.c.label}: ${r.detail}`);
      }
      const crashed = results.filter((r) => r.outcome === 'crashed');
      expect(crashed.map((r) => `${r.c.label}: ${r.detail}`)).toEqual([]);
    },
  );

  it('refuses every size at its maximum at once, up front, by the memory estimate', async () => {
    const everyMax: Record<string, unknown> = structuredClone(BASE) as Record<string, unknown>;
    for (const knob of knobs) {
      if (knob.kind !== 'number' || knob.path === 'optimiser.cemElites') continue;
      const parts = knob.path.split('.');
      let node = everyMax;
      for (const part of parts.slice(0, -1)) node = (node[part] ??= {}) as Record<string, unknown>;
      node[parts[parts.length - 1]] = knob.max;
    }
    const parsed = parseConfig(everyMax);
    if (!parsed.ok) throw new Error(JSON.stringify(parsed.problems));
    for (const kind of ['gradient', 'reinforce', 'cem'] as const) {
      const config = { ...parsed.config, optimiser: { ...parsed.config.optimiser, kind } };
      expect(() => assertWithinMemoryBudget(config), kind).toThrow(MemoryBudgetError);
    }
    const file = join(dir, 'every-max.json');
    writeFileSync(file, JSON.stringify(everyMax));
    const errors: string[] = [];
    const started = performance.now();
    const result = await runLab(['--config', file], {
      out: () => {},
      err: (line) => errors.push(line),
    });
    expect(result.code).toBe(2);
    expect(performance.now() - started).toBeLessThan(2_000);
    const said = errors.join('\n');
    expect(said).toMatch(/would need about [\d.]+ GiB .* above the 1\.5 GiB/);
    expect(said).toContain('imagination.rollouts = 16384');
    expect(said).toContain('imagination.horizon = 200');
  });
});
