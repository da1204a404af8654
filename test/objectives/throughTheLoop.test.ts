/**
 * Every model-learning objective through the loop on every env: tiny iterations, reports valid
 * against the schema with every number finite, the objective's own mechanism in its report, and
 * no tensor growth from one report to the next; then each with REINFORCE (discrete sampled
 * actions), a Gaussian model and the learned reward.
 */
import * as tf from '@tensorflow/tfjs';
import { beforeAll, describe, expect, it } from 'vitest';
import type { ExperimentConfigInput } from '../../src/config/schema';
import { ENV_IDS } from '../../src/envs/index';
import type { OracleRun } from '../../src/policies/oracle';
import {
  adversaryFigures,
  classifierAccuracy,
  iterationReportSchema,
  maximinFigures,
  type IterationReport,
} from '../../src/report';
import { collectRun, numbersIn, tinyConfig } from '../experiment/helpers';
import { useBackend } from '../models/helpers';

const ENVS = ENV_IDS;

interface ObjectiveCase {
  readonly name: string;
  readonly objective: ExperimentConfigInput['objective'];
  readonly iterations: number;
  /** What the objective's own mechanism must have put in each report. */
  readonly check: (report: IterationReport, index: number, config: { ballRadius: number }) => void;
  /** Across the run, for objectives whose mechanism unfolds over iterations. */
  readonly checkRun?: (reports: readonly IterationReport[]) => void;
}

const inUnitInterval = (value: number | null | undefined) => {
  expect(value ?? Number.NaN).toBeGreaterThanOrEqual(0);
  expect(value ?? Number.NaN).toBeLessThanOrEqual(1);
};

const policyAware = (signal: 'critic' | 'disagreement'): ObjectiveCase => ({
  name: `policyAware, ${signal} signal`,
  objective: { kind: 'policyAware', adversaryShare: 0.5, adversarySignal: signal, strength: 2 },
  iterations: 3,
  check: (report) => expect(report.objective?.kind).toBe('policyAware'),
  checkRun: ([first, second, third]) => {
    // The adversary has not played before the first report; then it collects its share.
    expect(adversaryFigures(first.objective)?.collectedShare).toBe(0);
    expect(adversaryFigures(second.objective)?.collectedShare).toBe(0.5);
    expect(third.modelError.adversarial).not.toBeNull();
    expect(third.trajectories.adversary.length).toBeGreaterThan(1);
  },
});

const OBJECTIVES: ObjectiveCase[] = [
  {
    name: 'mse',
    objective: { kind: 'mse' },
    iterations: 2,
    check: (report) => {
      expect(report.returns.oracle).not.toBeNull();
      expect(report.modelError.strategic).not.toBeNull();
    },
  },
  {
    name: 'mnm',
    objective: { kind: 'mnm' },
    iterations: 2,
    check: (report) => {
      expect(report.objective?.kind).toBe('mnm');
      inUnitInterval(classifierAccuracy(report.objective));
    },
  },
  {
    name: 'stackelberg',
    objective: { kind: 'stackelberg' },
    iterations: 2,
    check: (report, _, { ballRadius }) => {
      expect(report.objective?.kind).toBe('stackelberg');
      const maximin = maximinFigures(report.objective);
      expect(maximin?.steps).toBeGreaterThan(0);
      expect(maximin?.valueDrop).not.toBeNull();
      expect(maximin?.holdoutLossIncrease).toBeLessThanOrEqual(ballRadius + 1e-3);
    },
  },
  policyAware('critic'),
  policyAware('disagreement'),
];

const oracleCache = new Map<string, OracleRun>();

async function runAndCheck(
  testCase: ObjectiveCase,
  overrides: Partial<Record<keyof ExperimentConfigInput, unknown>>,
): Promise<void> {
  const config = tinyConfig({
    iterations: testCase.iterations,
    objective: testCase.objective,
    evaluation: { episodes: 1, episodeLength: 20 },
    ...overrides,
  });
  const before = tf.memory().numTensors;
  const run = await collectRun(config, { oracleCache });
  expect(run.reports).toHaveLength(testCase.iterations);
  run.reports.forEach((report, index) => {
    const parsed = iterationReportSchema.safeParse(report);
    expect(parsed.success, JSON.stringify(parsed.error?.issues)).toBe(true);
    expect(numbersIn(report).filter(([, value]) => !Number.isFinite(value))).toEqual([]);
    testCase.check(report, index, { ballRadius: config.objective.ballRadius });
  });
  testCase.checkRun?.(run.reports);
  const last = run.tensorsAfterReport.length - 1;
  expect(run.tensorsAfterReport[last]).toBe(run.tensorsAfterReport[last - 1]);
  expect(tf.memory().numTensors).toBe(before);
}

describe.each(OBJECTIVES)('objective $name through the loop', (testCase) => {
  beforeAll(() => useBackend('wasm'));

  it.each(ENVS)(
    '%s: valid reports, every number finite, its mechanism reported, no tensor growth',
    async (id) => {
      await runAndCheck(testCase, { env: { id } });
    },
    60_000,
  );

  it('Acrobot-v1 with REINFORCE (discrete sampled actions), a Gaussian model and the learned reward', async () => {
    await runAndCheck(testCase, {
      env: { id: 'Acrobot-v1' },
      model: { likelihood: 'gaussian' },
      reward: { kind: 'learned' },
      optimiser: { kind: 'reinforce' },
    });
  }, 60_000);
});
