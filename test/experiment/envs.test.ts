/**
 * Every env through the loop with every optimiser the loop runs: two tiny iterations each, and
 * nothing in the returns, gap, bound, errors or losses may be NaN or infinite. The oracle is
 * shared per env through the loop's cache hook, as the lab shares it between seeds.
 */
import { beforeAll, describe, expect, it } from 'vitest';
import { ENV_IDS } from '../../src/envs/index';
import type { OracleRun } from '../../src/policies/oracle';
import { iterationReportSchema } from '../../src/report';
import { useBackend } from '../models/helpers';
import { collectRun, numbersIn, tinyConfig } from './helpers';

const ENVS = ENV_IDS;
const oracleCache = new Map<string, OracleRun>();

describe('each env through the loop', () => {
  beforeAll(() => useBackend('wasm'));

  // Gradient threw on every env but Pendulum before 4523511 (no gradient for Equal in the
  // rollout's alive mask; see test/policies/improvers.test.ts, "improvers on envs that terminate").
  describe.each(['reinforce', 'gradient'] as const)('optimiser %s', (kind) => {
    it.each(ENVS)('%s: two iterations, every number finite', async (id) => {
      const config = tinyConfig({
        env: { id },
        optimiser: { kind },
        evaluation: { episodes: 1, episodeLength: 20 },
      });
      const { reports } = await collectRun(config, { oracleCache });
      expect(reports).toHaveLength(2);
      for (const report of reports) {
        expect(iterationReportSchema.safeParse(report).success).toBe(true);
        const numbers = numbersIn({
          returns: report.returns,
          gap: report.gap,
          bound: report.bound,
          modelError: report.modelError,
          losses: report.losses,
          imaginedReturn: report.imaginedReturn,
        });
        expect(numbers.filter(([, value]) => !Number.isFinite(value))).toEqual([]);
        expect(report.returns.oracle).not.toBeNull();
        expect(report.modelError.strategic).not.toBeNull();
      }
    });
  });
});
