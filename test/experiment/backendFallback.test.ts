/**
 * A backend that fails mid-run: every matrix product on WASM starts throwing (its kernels are
 * swapped for failing ones, as a lost GPU device fails every kernel), and the run moves to the
 * next backend, says which failed, why and where it went, rebuilds its learners there from the
 * last good iteration, and goes on. An error that is the code's comes back on the new backend and
 * ends the run; a run with no backend left says so.
 */
import * as tf from '@tensorflow/tfjs';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { runExperiment, type ExperimentHooks, type Learners } from '../../src/experiment';
import type { ExperimentConfig } from '../../src/config/schema';
import type { BackendFallbackEvent, ExperimentEvent, IterationReport, Phase } from '../../src/report';
import { useBackend } from '../models/helpers';
import { numbersIn, tinyConfig } from './helpers';

const MATRIX_KERNELS = ['BatchMatMul', '_FusedMatMul'];

/** Swaps the backend's matrix kernels for ones that throw; returns the undo. */
function breakMatrixKernels(backend: string, why: string): () => void {
  const originals = MATRIX_KERNELS.map((name) => {
    const original = tf.getKernel(name, backend);
    if (original === undefined) throw new Error(`no ${name} kernel on ${backend}`);
    tf.unregisterKernel(name, backend);
    tf.registerKernel({
      ...original,
      kernelFunc: () => {
        throw new Error(why);
      },
    });
    return original;
  });
  return () => {
    for (const original of originals) {
      tf.unregisterKernel(original.kernelName, backend);
      tf.registerKernel(original);
    }
  };
}

/** Every learner's weights, read back (for comparing states across backends). */
async function weightsOf(learners: Learners): Promise<Float32Array[]> {
  const variables = [...learners.model.variables, ...learners.policy.variables, ...learners.critic.variables];
  return Promise.all(variables.map(async (v) => (await v.data()) as Float32Array));
}

interface Entered {
  readonly backend: string;
  readonly weights: Float32Array[];
}

/**
 * Breaks WASM's matrix kernels as iteration `at` enters `phase`, and records the backend and the
 * learners' weights each time a collect phase begins (async reads, awaited by `settled`).
 */
function failWasmAt(at: number, phase: Phase, why: string) {
  let collects = 0;
  let broken = false;
  const entered: Promise<Entered>[] = [];
  const undo: (() => void)[] = [];
  const hooks: ExperimentHooks = {
    beforePhase: (current, learners) => {
      if (current === 'collect') {
        collects++;
        const backend = tf.getBackend();
        entered.push(weightsOf(learners).then((weights) => ({ backend, weights })));
      }
      // Until the fault, the collects counted are the iterations begun.
      if (!broken && collects === at + 1 && current === phase) {
        broken = true;
        undo.push(breakMatrixKernels('wasm', why));
      }
    },
  };
  return {
    hooks,
    settled: () => Promise.all(entered),
    restore: () => undo.splice(0).forEach((f) => f()),
  };
}

async function runAll(config: ExperimentConfig, hooks: ExperimentHooks) {
  const events: ExperimentEvent[] = [];
  for await (const event of runExperiment(config, hooks)) events.push(event);
  const reports = events.flatMap((e) => (e.kind === 'report' ? [e.report] : []));
  const fallbacks = events.filter((e): e is BackendFallbackEvent => e.kind === 'backendFallback');
  return { events, reports, fallbacks };
}

function expectFinite(reports: IterationReport[]): void {
  for (const report of reports)
    for (const [path, value] of numbersIn(report)) expect(Number.isFinite(value), path).toBe(true);
}

describe('a backend failing mid-run', () => {
  const config = tinyConfig({ iterations: 3 });
  let restore: () => void = () => undefined;

  beforeEach(() => useBackend('wasm'));
  afterEach(() => {
    restore();
    restore = () => undefined;
  });

  it('moves to the next backend, says so, and goes on from the last good iteration', async () => {
    const tensorsBefore = tf.memory().numTensors;
    // In the improve phase: the model has already been fitted in iteration 1, so going back to the
    // last good state visibly undoes that fit.
    const fault = failWasmAt(1, 'improve', 'simulated device loss: every kernel fails');
    restore = fault.restore;
    const { reports, fallbacks, events } = await runAll(config, fault.hooks);

    expect(fallbacks).toEqual([
      {
        kind: 'backendFallback',
        iteration: 1,
        phase: 'improve',
        failed: 'wasm',
        backend: 'cpu',
        message: 'simulated device loss: every kernel fails',
      },
    ]);
    // Iteration 0 came from WASM, the retried iteration 1 and iteration 2 from the CPU.
    expect(reports.map((r) => [r.iteration, r.backend])).toEqual([
      [0, 'wasm'],
      [1, 'cpu'],
      [2, 'cpu'],
    ]);
    expectFinite(reports);
    // The fallback comes right after the failed phase, and iteration 1 starts again after it.
    const at = events.findIndex((e) => e.kind === 'backendFallback');
    expect(events[at + 1]).toMatchObject({ kind: 'phase', iteration: 1, phase: 'collect' });

    // The retried iteration starts from exactly the state iteration 1 first started from.
    const entered = await fault.settled();
    // Collects of iterations 0, 1, 1 again, 2.
    expect(entered.map((e) => e.backend)).toEqual(['wasm', 'wasm', 'cpu', 'cpu']);
    const [, first, retry] = entered;
    expect(retry.weights.length).toBe(first.weights.length);
    retry.weights.forEach((w, i) => expect(Array.from(w), `variable ${i}`).toEqual(Array.from(first.weights[i])));
    expect(tf.getBackend()).toBe('cpu');
    restore();
    restore = () => undefined;
    console.log(
      `backend failure: wasm's matrix kernels fail in iteration 1 (improve) -> 1 fallback to cpu, ` +
        `iterations [${reports.map((r) => r.iteration).join(', ')}] on [${reports.map((r) => r.backend).join(', ')}], ` +
        `retry starts from the last good weights (${first.weights.length} variables equal), ` +
        `${tf.memory().numTensors - tensorsBefore} tensors left behind`,
    );
    expect(tf.memory().numTensors).toBe(tensorsBefore);
  }, 60_000);

  it("an error that comes back on the next backend is the code's: the run ends, saying so", async () => {
    const tensorsBefore = tf.memory().numTensors;
    let collects = 0;
    const events: ExperimentEvent[] = [];
    const run = async () => {
      for await (const event of runExperiment(config, {
        beforePhase: (phase) => {
          if (phase === 'collect') collects++;
          if (phase === 'fit' && collects >= 2) throw new Error('a bug in the loop');
        },
      }))
        events.push(event);
    };
    await expect(run()).rejects.toThrow(
      /^a bug in the loop \(it happened again on cpu after wasm failed with it: not a backend fault\)$/,
    );
    expect(events.filter((e) => e.kind === 'backendFallback')).toMatchObject([
      { iteration: 1, phase: 'fit', failed: 'wasm', backend: 'cpu', message: 'a bug in the loop' },
    ]);
    expect(events.filter((e) => e.kind === 'report')).toHaveLength(1);
    expect(tf.memory().numTensors).toBe(tensorsBefore);
  }, 60_000);

  it('with no backend left, the run ends naming each', async () => {
    await useBackend('cpu');
    // WASM failed earlier in this thread, so only the CPU is left, and it breaks too.
    const failedBackends = new Map([['wasm', 'lost earlier']]);
    const run = async () => {
      let broken = false;
      for await (const event of runExperiment(
        { ...config, backend: 'cpu' },
        {
          failedBackends,
          beforePhase: (phase) => {
            if (phase === 'fit' && !broken) {
              broken = true;
              restore = breakMatrixKernels('cpu', 'the cpu broke');
            }
          },
        },
      ))
        void event;
    };
    await expect(run()).rejects.toThrow(
      /^the cpu broke \(the cpu backend failed mid-run and no other backend could take over: webgpu: not available.*; webgl: not available.*; wasm: failed mid-run earlier: lost earlier\)$/,
    );
    expect([...failedBackends.keys()]).toEqual(['wasm', 'cpu']);
  }, 60_000);

  it('another run in the same thread follows the engine to the new backend', async () => {
    const tensorsBefore = tf.memory().numTensors;
    const failedBackends = new Map<string, string>();
    const fault = failWasmAt(1, 'improve', 'simulated device loss');
    restore = fault.restore;
    // Two runs taking turns event by event, as the worker's lanes do; only the first meets the fault.
    const a = runExperiment(config, { ...fault.hooks, failedBackends });
    const b = runExperiment({ ...config, seed: config.seed + 1 }, { failedBackends });
    const events: [string, ExperimentEvent][] = [];
    const open = new Map([
      ['a', a],
      ['b', b],
    ]);
    while (open.size > 0) {
      for (const [name, run] of [...open]) {
        const next = await run.next();
        if (next.done === true) open.delete(name);
        else events.push([name, next.value]);
      }
    }
    // Whichever run meets the broken kernels first records the failure; the other follows it,
    // from an error of its own or, if its ops moved to the CPU unharmed, as its next iteration starts.
    const fallbacks = events.flatMap(([name, e]) => (e.kind === 'backendFallback' ? [{ name, ...e }] : []));
    expect(fallbacks).toHaveLength(2);
    expect(new Set(fallbacks.map((f) => f.name))).toEqual(new Set(['a', 'b']));
    for (const f of fallbacks) expect(f).toMatchObject({ failed: 'wasm', backend: 'cpu' });
    expect(fallbacks[0]).toMatchObject({ iteration: 1, message: 'simulated device loss' });
    expect(fallbacks[0].phase).not.toBeNull();
    expect(fallbacks[1].message).toMatch(/simulated device loss|another run on this engine found it failing/);
    expect([...failedBackends.keys()]).toEqual(['wasm']);
    for (const name of ['a', 'b']) {
      const reports = events.flatMap(([n, e]) => (n === name && e.kind === 'report' ? [e.report] : []));
      expect(reports.map((r) => r.iteration)).toEqual([0, 1, 2]);
      expect(reports.at(-1)?.backend).toBe('cpu');
      expectFinite(reports);
    }
    restore();
    restore = () => undefined;
    expect(tf.memory().numTensors).toBe(tensorsBefore);
  }, 60_000);

  // Each optimiser and objective, the fault as the improve or the evaluate phase begins (where
  // interrupted steps left tensors behind before they were freed in `finally`).
  const variants: [string, Partial<Record<keyof ExperimentConfig, unknown>>][] = [
    ['gradient, mse', {}],
    ['reinforce', { optimiser: { kind: 'reinforce' } }],
    ['cem', { optimiser: { kind: 'cem', cemPopulation: 16, cemElites: 4, cemIterations: 2, cemHorizon: 5 } }],
    ['policyAware', { objective: { kind: 'policyAware' } }],
    ['mnm', { objective: { kind: 'mnm' } }],
    ['stackelberg', { objective: { kind: 'stackelberg' } }],
    ['gaussian model, learned reward', { model: { likelihood: 'gaussian' }, reward: { kind: 'learned' } }],
  ];
  for (const [name, overrides] of variants) {
    it(`${name}: no tensor left behind when the backend fails in improve or evaluate`, async () => {
      const left: string[] = [];
      for (const phase of ['improve', 'evaluate'] as const) {
        await useBackend('wasm');
        const before = tf.memory().numTensors;
        const fault = failWasmAt(0, phase, 'simulated device loss');
        restore = fault.restore;
        const { reports, fallbacks } = await runAll(tinyConfig({ iterations: 1, ...overrides }), fault.hooks);
        fault.restore();
        expect(fallbacks).toMatchObject([{ iteration: 0, phase, failed: 'wasm', backend: 'cpu' }]);
        expect(reports.map((r) => r.backend)).toEqual(['cpu']);
        expectFinite(reports);
        left.push(`${phase} ${tf.memory().numTensors - before}`);
        expect(tf.memory().numTensors, phase).toBe(before);
      }
      console.log(`backend failure, ${name}: tensors left behind by phase: ${left.join(', ')}`);
    }, 60_000);
  }
});
