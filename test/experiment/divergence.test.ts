/**
 * Divergence guards: a NaN planted in a learner before a phase is caught in that phase, the run
 * goes back to its last good state and says where and why, and it resumes — unchanged or with
 * changed knobs — to finite reports; knobs that shape the run are refused on resume.
 */
import * as tf from '@tensorflow/tfjs';
import { beforeAll, describe, expect, it } from 'vitest';
import { runExperiment, type ExperimentHooks } from '../../src/experiment';
import type { ExperimentConfig } from '../../src/config/schema';
import type { DivergedEvent, IterationReport, Phase } from '../../src/report';
import { useBackend } from '../models/helpers';
import { numbersIn, tinyConfig } from './helpers';

type Learners = Parameters<NonNullable<ExperimentHooks['beforePhase']>>[1];

function poison(variable: tf.Variable): void {
  tf.tidy(() => variable.assign(tf.fill(variable.shape, Number.NaN)));
}

/** Plants a NaN once, in iteration 1 as `phase` begins. */
function plantOnce(phase: Phase, target: (learners: Learners) => tf.Variable): ExperimentHooks {
  let seen = 0;
  let planted = false;
  return {
    beforePhase: (current, learners) => {
      if (current === 'collect') seen++;
      if (!planted && seen === 2 && current === phase) {
        planted = true;
        poison(target(learners));
      }
    },
  };
}

interface Outcome {
  readonly reports: IterationReport[];
  readonly diverged: DivergedEvent[];
}

/** Runs to the end; on a divergence resumes with `resume(config)` (or unchanged). */
async function runResuming(
  config: ExperimentConfig,
  hooks: ExperimentHooks,
  resume?: (c: ExperimentConfig) => ExperimentConfig,
): Promise<Outcome> {
  const reports: IterationReport[] = [];
  const diverged: DivergedEvent[] = [];
  const run = runExperiment(config, hooks);
  let next = await run.next();
  while (next.done !== true) {
    const event = next.value;
    if (event.kind === 'report') reports.push(event.report);
    if (event.kind === 'diverged') {
      diverged.push(event);
      next = await run.next(resume?.(config));
    } else {
      next = await run.next();
    }
  }
  return { reports, diverged };
}

describe('divergence', () => {
  beforeAll(() => useBackend('wasm'));
  const config = tinyConfig({ iterations: 3 });

  const cases: [Phase, (l: Learners) => tf.Variable, RegExp][] = [
    ['collect', (l) => l.policy.variables[0], /optimiser\.learningRate/],
    ['fit', (l) => l.model.variables[0], /model\.learningRate/],
    ['improve', (l) => l.critic.variables[0], /optimiser\.learningRate|imagination\.horizon/],
    ['evaluate', (l) => l.model.variables[0], /evaluation\.episodeLength|model\.learningRate/],
  ];
  for (const [phase, target, cause] of cases) {
    it(`is caught in the ${phase} phase, named with its likely cause, and the run resumes from the last good state`, async () => {
      const { reports, diverged } = await runResuming(config, plantOnce(phase, target));
      expect(diverged).toHaveLength(1);
      expect(diverged[0]).toMatchObject({ kind: 'diverged', iteration: 1, phase });
      expect(diverged[0].likelyCause).toMatch(cause);
      expect(diverged[0].message).toContain(`${phase} phase`);
      // Iteration 0's report was kept; iteration 1 was retried; every figure is finite.
      expect(reports.map((r) => r.iteration)).toEqual([0, 1, 2]);
      for (const report of reports)
        for (const [path, value] of numbersIn(report))
          expect(Number.isFinite(value), path).toBe(true);
    }, 30_000);
  }

  it('resumes with a changed learning rate, and refuses a change that needs a new run', async () => {
    const slower = (c: ExperimentConfig) => ({
      ...c,
      optimiser: { ...c.optimiser, learningRate: c.optimiser.learningRate / 10 },
    });
    const resumed = await runResuming(
      config,
      plantOnce('fit', (l) => l.model.variables[0]),
      slower,
    );
    expect(resumed.reports.map((r) => r.iteration)).toEqual([0, 1, 2]);

    const wider = (c: ExperimentConfig) => ({
      ...c,
      model: { ...c.model, width: c.model.width * 2 },
    });
    await expect(
      runResuming(
        config,
        plantOnce('fit', (l) => l.model.variables[0]),
        wider,
      ),
    ).rejects.toThrow(/need a new run.*model\.width/);
  }, 30_000);

  it('leaves no tensor behind: a run with a divergence ends where a clean run ends', async () => {
    const before = tf.memory().numTensors;
    await runResuming(
      config,
      plantOnce('improve', (l) => l.critic.variables[0]),
    );
    expect(tf.memory().numTensors).toBe(before);
  }, 30_000);
});
