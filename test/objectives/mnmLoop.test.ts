/**
 * Mismatched No More through the loop: two tiny iterations on every env (and REINFORCE with a
 * Gaussian model and the learned reward), reports valid and finite, no tensor left behind.
 */
import * as tf from '@tensorflow/tfjs';
import { beforeAll, describe, expect, it } from 'vitest';
import type { EnvId } from '../../src/envs/types';
import type { OracleRun } from '../../src/policies/oracle';
import { iterationReportSchema } from '../../src/report';
import { collectRun, numbersIn, tinyConfig } from '../experiment/helpers';
import { useBackend } from '../models/helpers';

const ENVS: EnvId[] = [
  'Pendulum-v1',
  'MountainCarContinuous-v0',
  'CartPole-v1',
  'Acrobot-v1',
  'MountainCar-v0',
];
const oracleCache = new Map<string, OracleRun>();

describe('objective "mnm" through the loop', () => {
  beforeAll(() => useBackend('wasm'));

  it.each(ENVS)(
    '%s: two iterations, valid reports, every number finite, no tensor growth',
    async (id) => {
      const config = tinyConfig({
        env: { id },
        objective: { kind: 'mnm' },
        evaluation: { episodes: 1, episodeLength: 20 },
      });
      const before = tf.memory().numTensors;
      const run = await collectRun(config, { oracleCache });
      expect(run.reports).toHaveLength(2);
      for (const report of run.reports) {
        const parsed = iterationReportSchema.safeParse(report);
        expect(parsed.success, JSON.stringify(parsed.error?.issues)).toBe(true);
        expect(numbersIn(report).filter(([, value]) => !Number.isFinite(value))).toEqual([]);
        expect(report.objective?.kind).toBe('mnm');
        const accuracy = report.objective?.classifierAccuracy ?? Number.NaN;
        expect(accuracy).toBeGreaterThanOrEqual(0);
        expect(accuracy).toBeLessThanOrEqual(1);
      }
      expect(run.tensorsAfterReport[1]).toBe(run.tensorsAfterReport[0]);
      expect(tf.memory().numTensors).toBe(before);
    },
  );

  it('Acrobot-v1 with REINFORCE (discrete sampled actions), a Gaussian model and the learned reward', async () => {
    const config = tinyConfig({
      env: { id: 'Acrobot-v1' },
      objective: { kind: 'mnm' },
      model: { likelihood: 'gaussian' },
      reward: { kind: 'learned' },
      optimiser: { kind: 'reinforce' },
      evaluation: { episodes: 1, episodeLength: 20 },
    });
    const run = await collectRun(config, { oracleCache });
    for (const report of run.reports) {
      expect(iterationReportSchema.safeParse(report).success).toBe(true);
      expect(numbersIn(report).filter(([, value]) => !Number.isFinite(value))).toEqual([]);
      const accuracy = report.objective?.classifierAccuracy ?? Number.NaN;
      expect(accuracy).toBeGreaterThanOrEqual(0);
      expect(accuracy).toBeLessThanOrEqual(1);
    }
    expect(run.tensorsAfterReport[1]).toBe(run.tensorsAfterReport[0]);
  });
});
