/**
 * Several real experiments taking turns in one thread, as the worker runs a comparison: each lane
 * gives exactly the reports it gives alone, lanes advance together, a step gives every lane one
 * more report, a refused config fails alone, and stopping frees every tensor.
 */
import * as tf from '@tensorflow/tfjs';
import { beforeAll, describe, expect, it } from 'vitest';
import type { ExperimentConfig } from '../../src/config/schema';
import { runExperiment, type ExperimentHooks } from '../../src/experiment';
import type { ExperimentEvent, IterationReport } from '../../src/report';
import { InterleavedRun, type RunListener } from '../../src/run/interleavedRun';
import { expandLanes, type Lane } from '../../src/run/lanes';
import { collectRun, tinyConfig, withoutTimings } from '../experiment/helpers';
import { report as fixtureReport } from '../fixtures/report';
import { useBackend } from '../models/helpers';

interface Recorded {
  readonly order: string[];
  readonly reports: Map<string, IterationReport[]>;
  readonly failures: Map<string, string>;
  readonly done: string[];
  steps: number;
  parks: number;
}

const key = (lane: Lane) => `${lane.variant}/${lane.seedIndex}`;

function recorder(onStep?: (recorded: Recorded) => void): [RunListener, Recorded] {
  const recorded: Recorded = {
    order: [],
    reports: new Map(),
    failures: new Map(),
    done: [],
    steps: 0,
    parks: 0,
  };
  const listener: RunListener = {
    event(lane, event: ExperimentEvent) {
      recorded.order.push(key(lane));
      if (event.kind === 'report') {
        recorded.reports.set(key(lane), [...(recorded.reports.get(key(lane)) ?? []), event.report]);
      }
    },
    laneDone: (lane) => recorded.done.push(key(lane)),
    laneFailed: (lane, message, stage) => recorded.failures.set(key(lane), `${stage}: ${message}`),
    parked: () => {
      recorded.parks++;
    },
    stepDone: () => {
      recorded.steps++;
      onStep?.(recorded);
    },
  };
  return [listener, recorded];
}

/** The oracle depends only on the world; shared as the worker shares it, it is computed once. */
const oracleCache: NonNullable<ExperimentHooks['oracleCache']> = new Map();
const open = (config: ExperimentConfig) => runExperiment(config, { oracleCache });

describe('InterleavedRun', () => {
  beforeAll(async () => {
    await useBackend('wasm');
  });

  it('runs each config on the same seeds, taking turns, with the reports each gives alone', async () => {
    const base = tinyConfig({ iterations: 2 });
    const wider = tinyConfig({ iterations: 2, model: { width: 24 } });
    const lanes = expandLanes([base, wider], 2);
    expect(lanes.map((lane) => [lane.variant, lane.seedIndex, lane.config.seed])).toEqual([
      [0, 0, 3],
      [1, 0, 3],
      [0, 1, 4],
      [1, 1, 4],
    ]);
    const [listener, recorded] = recorder();
    const outcome = await new InterleavedRun(lanes, open, listener).run();
    expect(outcome).toBe('done');
    expect(recorded.done.sort()).toEqual(['0/0', '0/1', '1/0', '1/1']);
    // Turns: the first four events come from the four lanes, in order.
    expect(recorded.order.slice(0, 4)).toEqual(['0/0', '1/0', '0/1', '1/1']);
    for (const lane of lanes) {
      const alone = await collectRun(lane.config, { oracleCache });
      const together = recorded.reports.get(key(lane)) ?? [];
      expect(together.map(withoutTimings)).toEqual(alone.reports.map(withoutTimings));
    }
  });

  it('fails a refused config alone and lets the others finish; fails the run if all fail', async () => {
    const refused = tinyConfig({ optimiser: { kind: 'cem', cemPopulation: 8, cemElites: 100 } });
    const [listener, recorded] = recorder();
    const lanes = expandLanes([tinyConfig({ iterations: 1 }), refused], 1);
    expect(await new InterleavedRun(lanes, open, listener).run()).toBe('done');
    expect([...recorded.failures.keys()]).toEqual(['1/0']);
    expect(recorded.failures.get('1/0')).toMatch(/^setup: .*cemElites/);
    expect(recorded.reports.get('0/0')).toHaveLength(1);

    const [allListener, allRecorded] = recorder();
    const allRefused = expandLanes([refused], 2);
    expect(await new InterleavedRun(allRefused, open, allListener).run()).toBe('failed');
    expect(allRecorded.failures.size).toBe(2);
  });

  it('steps every lane by one report, then pauses; stopping frees every tensor', async () => {
    const before = tf.memory().numTensors;
    const lanes = expandLanes(
      [
        tinyConfig({ iterations: 5 }),
        tinyConfig({ iterations: 5, data: { realStepsPerIteration: 30 } }),
      ],
      2,
    );
    let run: InterleavedRun | null = null;
    const counts: number[][] = [];
    const [listener, recorded] = recorder((seen) => {
      counts.push(lanes.map((lane) => seen.reports.get(key(lane))?.length ?? 0));
      if (seen.steps === 1) run?.step();
      else run?.stop();
    });
    run = new InterleavedRun(lanes, open, listener, { step: true });
    const outcome = await run.run();
    expect(outcome).toBe('stopped');
    expect(counts).toEqual([
      [1, 1, 1, 1],
      [2, 2, 2, 2],
    ]);
    expect(recorded.done).toEqual([]);
    expect(tf.memory().numTensors).toBe(before);
  });

  it('holds still while paused and goes on when resumed', async () => {
    const lanes = expandLanes([tinyConfig({ iterations: 2 })], 1);
    const [listener, recorded] = recorder();
    const run = new InterleavedRun(lanes, open, listener);
    expect(run.pause()).toBe(true);
    const finished = run.run();
    await new Promise((resolve) => setTimeout(resolve, 200));
    expect(recorded.order).toEqual([]);
    expect(run.resume()).toBe(true);
    expect(await finished).toBe('done');
    expect(recorded.reports.get('0/0')).toHaveLength(2);
  });
});

describe('InterleavedRun paused mid-event', () => {
  it('lets the event in flight complete, then says it is parked, and nothing comes after', async () => {
    let release: (() => void) | null = null;
    const events: string[] = [];
    // A lane whose report takes as long as the test says: the pause lands while it is computed.
    async function* slowReport(): AsyncGenerator<
      ExperimentEvent,
      void,
      ExperimentConfig | undefined
    > {
      await new Promise<void>((resolve) => {
        release = resolve;
      });
      yield { kind: 'report', report: fixtureReport(0) };
      yield { kind: 'report', report: fixtureReport(1) };
    }
    const [listener, recorded] = recorder();
    const run = new InterleavedRun(expandLanes([tinyConfig({ iterations: 2 })], 1), slowReport, {
      ...listener,
      event(lane, event) {
        listener.event(lane, event);
        events.push(event.kind);
      },
      parked() {
        listener.parked();
        events.push('parked');
      },
    });
    const finished = run.run();
    while (release === null) await new Promise((resolve) => setTimeout(resolve, 1));
    expect(run.pause()).toBe(true);
    expect(recorded.parks).toBe(0);
    (release as () => void)();
    await new Promise((resolve) => setTimeout(resolve, 50));
    expect(events).toEqual(['report', 'parked']);
    expect(run.resume()).toBe(true);
    expect(await finished).toBe('done');
    expect(events).toEqual(['report', 'parked', 'report']);
  });
});

describe('InterleavedRun after a divergence', () => {
  beforeAll(async () => {
    await useBackend('wasm');
  });

  it('pauses every lane, and resumes the diverged one with the config it is handed', async () => {
    const config = tinyConfig({ iterations: 3 });
    const lanes = expandLanes([config, { ...config, model: { ...config.model, width: 12 } }], 1);
    let planted = false;
    let collects = 0;
    // Lane 0's policy gets a NaN weight as its second collect begins.
    const openPlanting = (laneConfig: ExperimentConfig) =>
      runExperiment(laneConfig, {
        oracleCache,
        beforePhase: (phase, learners) => {
          if (laneConfig.model.width !== config.model.width || phase !== 'collect') return;
          collects++;
          if (collects === 2 && !planted) {
            planted = true;
            const weight = learners.policy.variables[0];
            tf.tidy(() => weight.assign(tf.fill(weight.shape, Number.NaN)));
          }
        },
      });
    const [listener, recorded] = recorder();
    const diverged: string[] = [];
    const run = new InterleavedRun(lanes, openPlanting, {
      ...listener,
      event(lane, event) {
        listener.event(lane, event);
        if (event.kind === 'diverged') diverged.push(`${key(lane)} ${event.phase}`);
      },
    });
    const finished = run.run();
    while (diverged.length === 0) await new Promise((resolve) => setTimeout(resolve, 10));
    await new Promise((resolve) => setTimeout(resolve, 50));
    expect(run.isPaused).toBe(true);
    expect(diverged).toEqual(['0/0 collect']);
    const eventsWhilePaused = recorded.order.length;
    await new Promise((resolve) => setTimeout(resolve, 50));
    expect(recorded.order.length).toBe(eventsWhilePaused);

    const slower = {
      ...config,
      optimiser: { ...config.optimiser, learningRate: config.optimiser.learningRate / 2 },
    };
    expect(run.resume((lane) => (lane.variant === 0 ? slower : undefined))).toBe(true);
    expect(await finished).toBe('done');
    expect(recorded.reports.get('0/0')?.map((r) => r.iteration)).toEqual([0, 1, 2]);
    expect(recorded.reports.get('1/0')?.map((r) => r.iteration)).toEqual([0, 1, 2]);
    expect(recorded.failures.size).toBe(0);
  }, 60_000);
});

describe('InterleavedRun after a backend fallback', () => {
  it('passes the event on and pauses nothing: the lane has already moved on', async () => {
    // A scripted lane: the loop's fallback is tested in test/experiment/backendFallback.test.ts.
    async function* scripted(): AsyncGenerator<
      ExperimentEvent,
      void,
      ExperimentConfig | undefined
    > {
      yield { kind: 'report', report: fixtureReport(0) };
      yield {
        kind: 'backendFallback',
        iteration: 1,
        phase: 'fit',
        failed: 'wasm',
        backend: 'cpu',
        message: 'lost',
      };
      yield { kind: 'report', report: fixtureReport(1) };
    }
    const lanes = expandLanes([tinyConfig()], 1);
    const [listener, recorded] = recorder();
    const kinds: string[] = [];
    const run = new InterleavedRun(lanes, scripted, {
      ...listener,
      event(lane, event) {
        listener.event(lane, event);
        kinds.push(event.kind);
      },
    });
    expect(await run.run()).toBe('done');
    expect(run.isPaused).toBe(false);
    expect(kinds).toEqual(['report', 'backendFallback', 'report']);
    expect(recorded.reports.get('0/0')?.map((r) => r.iteration)).toEqual([0, 1]);
  });
});

describe('InterleavedRun with a live change', () => {
  beforeAll(async () => {
    await useBackend('wasm');
  });

  it('hands every lane the change at the first iteration none has begun', async () => {
    const config = tinyConfig({ iterations: 3, model: { learningRate: 0.001 } });
    const lanes = expandLanes([config], 2);
    const faster = (lane: Lane): ExperimentConfig => ({
      ...lane.config,
      model: { ...lane.config.model, learningRate: 0.01 },
    });
    const [listener, recorded] = recorder();
    const scheduled: (number | null)[] = [];
    let asked = false;
    const run: InterleavedRun = new InterleavedRun(lanes, open, {
      ...listener,
      event(lane, event) {
        listener.event(lane, event);
        // Seed 0 has begun iteration 1; seed 1 has not (it just reported iteration 0).
        if (!asked && key(lane) === '0/0' && event.kind === 'phase' && event.iteration === 1) {
          asked = true;
          scheduled.push(run.change(faster));
        }
      },
    });
    expect(await run.run()).toBe('done');
    expect(scheduled).toEqual([2]);
    for (const lane of ['0/0', '0/1']) {
      const changes = recorded.reports.get(lane)?.map((report) => report.changes ?? null);
      expect(changes, lane).toEqual([null, null, [{ key: 'lr', from: 0.001, to: 0.01 }]]);
    }
    // Nothing is left to change once the run is over.
    expect(run.change(faster)).toBeNull();
  }, 60_000);
});
