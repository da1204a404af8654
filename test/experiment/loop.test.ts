/**
 * The loop as its consumers see it: a stream of events whose reports validate, stay small and
 * finite, come in phase order, repeat exactly for a seed, and leave no tensor behind, whether the
 * run ends or is stopped half-way with `return()`.
 */
import * as tf from '@tensorflow/tfjs';
import { beforeAll, describe, expect, it } from 'vitest';
import { runExperiment } from '../../src/experiment';
import type { OracleRun } from '../../src/policies/oracle';
import { iterationReportSchema, PHASES, type ExperimentEvent, type IterationReport } from '../../src/report';
import { useBackend } from '../models/helpers';
import { collectRun, numbersIn, tinyConfig, withoutTimings, type CollectedRun } from './helpers';

const ITERATIONS = 6;

describe('runExperiment (Pendulum-v1, tiny config, gradient optimiser)', () => {
  const config = tinyConfig({ iterations: ITERATIONS });
  let run: CollectedRun;

  beforeAll(async () => {
    await useBackend('wasm');
    run = await collectRun(config);
  });

  it('yields one report per iteration, each valid against the schema and plain JSON', () => {
    expect(run.reports.map((report) => report.iteration)).toEqual([0, 1, 2, 3, 4, 5]);
    for (const report of run.reports) {
      const parsed = iterationReportSchema.safeParse(report);
      expect(parsed.success, JSON.stringify(parsed.error?.issues)).toBe(true);
      // What a worker posts or the lab writes comes back the same (no NaN → null, no typed arrays).
      expect(JSON.parse(JSON.stringify(report))).toEqual(report);
      expect(report.backend).toBe('wasm');
    }
  });

  it('keeps every report under 50 kB of JSON', () => {
    for (const report of run.reports) expect(JSON.stringify(report).length).toBeLessThan(50_000);
  });

  it('reports only finite numbers', () => {
    for (const report of run.reports) {
      const bad = numbersIn(report).filter(([, value]) => !Number.isFinite(value));
      expect(bad).toEqual([]);
    }
  });

  it('says what it did: data spent, fixed reference lines, grid and trajectories of the right size', () => {
    const { data, evaluation } = config;
    run.reports.forEach((report, k) => {
      expect(report.realSteps).toBe(data.initialRandomSteps + (k + 1) * data.realStepsPerIteration);
      // The random and oracle lines are computed once, from the fixed evaluation starts.
      expect(report.returns.random).toBe(run.reports[0].returns.random);
      expect(report.returns.oracle).not.toBeNull();
      expect(report.returns.oracle).toBe(run.reports[0].returns.oracle);
      expect(report.gap).toBeCloseTo(report.returns.sim - report.returns.real, 1);
      expect(report.modelError.strategic).not.toBeNull();
      expect(report.modelError.adversarial).toBeNull();
      expect(report.bound).toBeGreaterThanOrEqual(0);
      const { grid } = report;
      for (const cells of [grid.error, grid.realVisits, grid.modelVisits])
        expect(cells).toHaveLength(grid.size ** 2);
      // Pendulum never terminates: every evaluation step is a visit, in the world and in the model.
      const sum = (xs: number[]) => xs.reduce((a, b) => a + b, 0);
      expect(sum(grid.realVisits)).toBe(evaluation.episodes * evaluation.episodeLength);
      expect(sum(grid.modelVisits)).toBe(evaluation.episodes * evaluation.episodeLength);
      // The real path ends with the observation after the last step.
      expect(report.trajectories.real).toHaveLength(evaluation.episodeLength + 1);
      expect(report.trajectories.sim).toHaveLength(evaluation.episodeLength);
      // The env view's episode: real frames and the model's open-loop ghost, from the same start.
      const { episode } = report;
      expect(episode.real).toHaveLength(evaluation.episodeLength + 1);
      expect(episode.ghost).toHaveLength(episode.real.length);
      expect(episode.actions).toHaveLength(episode.real.length);
      expect(episode.ghost[0]).toEqual(episode.real[0]);
      expect(episode.ghost.at(-1)).not.toEqual(episode.real.at(-1));
    });
    // The oracle swings up better than a random policy even over 30 steps.
    expect(run.reports[0].returns.oracle).toBeGreaterThan(run.reports[0].returns.random);
  });

  it('announces the phases in order collect → fit → improve → evaluate, then the report, every iteration', () => {
    const perIteration: ExperimentEvent[][] = Array.from({ length: ITERATIONS }, () => []);
    let current = 0;
    for (const event of run.events) {
      perIteration[current].push(event);
      if (event.kind === 'report') current++;
    }
    expect(current).toBe(ITERATIONS);
    perIteration.forEach((events, iteration) => {
      const last = events[events.length - 1];
      expect(last.kind).toBe('report');
      const phases = events.filter((event) => event.kind === 'phase');
      for (const event of phases) expect(event.iteration).toBe(iteration);
      const names = phases
        .map((event) => event.phase)
        .filter((name, i, all) => i === 0 || all[i - 1] !== name);
      expect(names).toEqual([...PHASES]);
      for (const name of PHASES) {
        const progress = phases
          .filter((event) => event.phase === name)
          .map((event) => event.progress);
        expect(progress[0]).toBe(0);
        for (let i = 1; i < progress.length; i++)
          expect(progress[i]).toBeGreaterThan(progress[i - 1]);
        expect(progress[progress.length - 1]).toBeLessThan(1);
      }
    });
  });

  it('allocates nothing per iteration: the tensor count after the last report equals that after the first', () => {
    expect(run.tensorsAfterReport).toHaveLength(ITERATIONS);
    expect(run.tensorsAfterReport[ITERATIONS - 1]).toBe(run.tensorsAfterReport[0]);
  });

  it('repeats exactly for the same seed (timings aside), and differs for another', async () => {
    const again = await collectRun(config);
    expect(again.reports.map(withoutTimings)).toEqual(run.reports.map(withoutTimings));
    const other = await collectRun(tinyConfig({ iterations: 1, seed: 4 }));
    expect(withoutTimings(other.reports[0])).not.toEqual(withoutTimings(run.reports[0]));
    expect(other.reports[0].returns.real).not.toBe(run.reports[0].returns.real);
  });
});

describe('stopping and refusing', () => {
  beforeAll(() => useBackend('wasm'));

  // Fails today by 11 tensors: PolicyNetwork and Critic keep their initial tensors alive after
  // dispose() (see test/policies/improvers.test.ts, "policy and critic free what they allocate").
  it.each(['fit', 'improve'] as const)(
    'return() during the %s phase of iteration 1 frees every tensor of the run',
    async (phase) => {
      const before = tf.memory().numTensors;
      const generator = runExperiment(tinyConfig({ iterations: 4 }));
      let stoppedAt: ExperimentEvent | null = null;
      for (;;) {
        const next = await generator.next();
        if (next.done === true) break;
        const event = next.value;
        if (event.kind === 'phase' && event.iteration === 1 && event.phase === phase) {
          stoppedAt = event;
          break;
        }
      }
      expect(stoppedAt).not.toBeNull();
      expect(tf.memory().numTensors).toBeGreaterThan(before);
      const result = await generator.return(undefined);
      expect(result.done).toBe(true);
      expect(tf.memory().numTensors).toBe(before);
      // A stopped run stays stopped.
      expect((await generator.next()).done).toBe(true);
    },
  );

  it.each(['mnm', 'stackelberg'] as const)('refuses objective "%s" with optimiser "cem", which has no policy network', async (kind) => {
    const generator = runExperiment(tinyConfig({ objective: { kind }, optimiser: { kind: 'cem' } }));
    await expect(generator.next()).rejects.toThrow(new RegExp(`"${kind}" needs a policy network`));
  });

  it.each(['reinforce', 'cem'] as const)('refuses risk "cvar" with optimiser "%s", which would ignore it', async (kind) => {
    const generator = runExperiment(tinyConfig({ optimiser: { kind }, risk: { kind: 'cvar' } }));
    await expect(generator.next()).rejects.toThrow(/cvar.*gradient optimiser only/);
  });

  it.each(['gradient', 'cem'] as const)('refuses reward noise with optimiser "%s", which would ignore it', async (kind) => {
    const generator = runExperiment(tinyConfig({ optimiser: { kind }, reward: { noiseStd: 1 } }));
    await expect(generator.next()).rejects.toThrow(/reward noise applies to optimiser "reinforce" only/);
  });
});

describe('runExperiment with optimiser "cem" (CEM-MPC in the model)', () => {
  const config = tinyConfig({
    optimiser: { kind: 'cem', stepsPerIteration: 4, cemPopulation: 16, cemElites: 4, cemIterations: 2, cemHorizon: 5 },
  });
  let run: CollectedRun;

  beforeAll(async () => {
    await useBackend('wasm');
    run = await collectRun(config);
  });

  it('runs 2 iterations: valid reports, finite numbers, the data spent, no tensor growth', () => {
    expect(run.reports.map((report) => report.iteration)).toEqual([0, 1]);
    for (const [k, report] of run.reports.entries()) {
      const parsed = iterationReportSchema.safeParse(report);
      expect(parsed.success, JSON.stringify(parsed.error?.issues)).toBe(true);
      expect(numbersIn(report).filter(([, value]) => !Number.isFinite(value))).toEqual([]);
      expect(report.realSteps).toBe(config.data.initialRandomSteps + (k + 1) * config.data.realStepsPerIteration);
      // The planner's expectation over its horizon is its imagined return; the loss is its negative.
      expect(report.imaginedReturn).not.toBeNull();
      expect(report.losses.policy).toBe(-(report.imaginedReturn ?? Number.NaN));
      const { episode } = report;
      const { evaluation } = config;
      expect(episode.real).toHaveLength(evaluation.episodeLength + 1);
      expect(episode.ghost).toHaveLength(episode.real.length);
      expect(episode.ghost[0]).toEqual(episode.real[0]);
      expect(report.trajectories.sim).toHaveLength(evaluation.episodeLength);
      const sum = (xs: number[]) => xs.reduce((a, b) => a + b, 0);
      expect(sum(report.grid.modelVisits)).toBe(evaluation.episodes * evaluation.episodeLength);
    }
    expect(run.tensorsAfterReport[1]).toBe(run.tensorsAfterReport[0]);
  });

  it('announces its long phases as they go: collect, improve (planning in the model) and evaluate reach 3/4', () => {
    const first = run.events.slice(0, run.events.findIndex((event) => event.kind === 'report'));
    for (const name of PHASES) {
      const progress = first.flatMap((event) => (event.kind === 'phase' && event.phase === name ? [event.progress] : []));
      expect(progress, name).toEqual([0, 0.25, 0.5, 0.75]);
    }
  });

  it('repeats exactly for the same seed (timings aside)', async () => {
    const again = await collectRun(tinyConfig({ ...config, iterations: 1 }));
    expect(withoutTimings(again.reports[0])).toEqual(withoutTimings(run.reports[0]));
  });

  it('return() in the middle of the MPC evaluation frees every tensor of the run', async () => {
    const before = tf.memory().numTensors;
    const generator = runExperiment(config);
    for (;;) {
      const next = await generator.next();
      if (next.done === true) throw new Error('the run ended before its evaluation');
      const event = next.value;
      if (event.kind === 'phase' && event.phase === 'evaluate' && event.progress === 0.5) break;
    }
    await generator.return(undefined);
    expect(tf.memory().numTensors).toBe(before);
  });

  it('refuses more elites than the population, by name', async () => {
    const generator = runExperiment(tinyConfig({ optimiser: { kind: 'cem', cemPopulation: 8, cemElites: 9 } }));
    await expect(generator.next()).rejects.toThrow(/"cem".*cemElites \(9\) exceed cemPopulation \(8\)/);
  });
});

describe('the oracle cache hook', () => {
  beforeAll(() => useBackend('wasm'));

  it('is filled by a run and reused by the same world: the same seed adds no entry', async () => {
    const oracleCache = new Map<string, OracleRun>();
    const first = await collectRun(tinyConfig({ iterations: 1 }), { oracleCache });
    expect(oracleCache.size).toBe(1);
    const second = await collectRun(tinyConfig({ iterations: 1 }), { oracleCache });
    expect(oracleCache.size).toBe(1);
    expect(second.reports[0].returns.oracle).toBe(first.reports[0].returns.oracle);
  });

  // Fails today: the hook says "callers running many seeds on one world share it through this",
  // but the evaluation start states are drawn from the run's seed and are part of the cache key,
  // so every seed misses (the lab's `--seeds K` computes the oracle K times).
  it('is shared between seeds of the same world, as its doc says', async () => {
    const oracleCache = new Map<string, OracleRun>();
    await collectRun(tinyConfig({ iterations: 1, seed: 3 }), { oracleCache });
    await collectRun(tinyConfig({ iterations: 1, seed: 4 }), { oracleCache });
    expect(oracleCache.size).toBe(1);
  });
});

describe('runExperiment with phases that do no steps', () => {
  it('reports the figures those phases did not produce as null, never NaN', async () => {
    const config = tinyConfig({ iterations: 1, model: { trainStepsPerIteration: 0 }, optimiser: { stepsPerIteration: 0 } });
    let report: IterationReport | null = null;
    for await (const event of runExperiment(config)) if (event.kind === 'report') report = event.report;
    expect(report).not.toBeNull();
    const parsed = iterationReportSchema.parse(JSON.parse(JSON.stringify(report)));
    expect(parsed.losses.modelTrain).toBeNull();
    expect(parsed.losses.policy).toBeNull();
    expect(parsed.imaginedReturn).toBeNull();
    expect(Number.isFinite(parsed.returns.real)).toBe(true);
  });
});
