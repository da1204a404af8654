/**
 * `npm run bench -- noise [--draws 400] [--rollouts 16,64,256] [--sigmas 0,0.1,0.5,1]`
 *
 * REINFORCE in imagination with zero-mean reward noise r̃ = r + ε, ε ~ N(0, σ²) ("On Training in
 * Imagination"): the score-function estimate ĝ = −mean_t[alive·(G̃_t − V(o_t))·∇log π(a_t|o_t)]
 * should stay unbiased at every σ, and its variance should fall as 1/R in the rollouts R.
 *
 * One world, fixed for the table: Pendulum-v1, an ensemble of 3 × (2 × 64 relu) fitted on 1 000
 * random transitions, a fresh 2 × 64 policy, a critic given 20 TD(λ) steps, horizon 32, the
 * known reward. The reference g is the mean of 16 noiseless estimates of 4 096 rollouts each.
 * For every (σ, R), `draws` independent estimates give:
 * - the bias along g, ⟨mean ĝ − g, g/|g|⟩ ÷ |g|, with its 95 % interval (the draws' spread and the
 *   reference's own);
 * - the whole vector's: ‖mean ĝ − g‖² ÷ what it would be if unbiased, tr Cov(ĝ)/draws + the
 *   reference's tr Cov/16 (about 1 when unbiased, growing with a bias);
 * - tr Cov(ĝ) · R, constant when the variance falls as 1/R, and the fitted slope of
 *   log tr Cov against log R (−1).
 * (The improver itself then normalises the advantages by their batch moments, `normalised`.)
 */
import '@tensorflow/tfjs-backend-wasm';
import * as tf from '@tensorflow/tfjs';
import { getEnv } from '../../envs';
import { benchmarkBuffer } from '../../models/benchmark';
import { WorldModel } from '../../models/worldModel';
import { Critic } from '../../policies/critic';
import type { ImaginationSettings, ImprovementContext } from '../../policies/improver';
import { PolicyNetwork } from '../../policies/policyNetwork';
import { reinforceEstimator } from '../../policies/reinforceImprover';
import { createRng } from '../../rng';

const ENV = 'Pendulum-v1';
const REFERENCE = { draws: 16, rollouts: 4096 };
const CRITIC_STEPS = 20;
const Z_95 = 1.96;

interface Options {
  readonly draws: number;
  readonly rollouts: readonly number[];
  readonly sigmas: readonly number[];
}

function parseOptions(args: readonly string[]): Options {
  const values = new Map<string, string>();
  for (let i = 0; i < args.length; i += 2) {
    if (!args[i].startsWith('--') || args[i + 1] === undefined) {
      throw new Error(`bench noise: expected --flag value pairs, got "${args.slice(i).join(' ')}"`);
    }
    values.set(args[i].slice(2), args[i + 1]);
  }
  for (const name of values.keys()) {
    if (!['draws', 'rollouts', 'sigmas'].includes(name)) {
      throw new Error(`bench noise: unknown option --${name} (--draws, --rollouts, --sigmas)`);
    }
  }
  const list = (name: string, fallback: string, valid: (x: number) => boolean) =>
    (values.get(name) ?? fallback).split(',').map((text) => {
      const value = Number(text);
      if (!valid(value)) throw new Error(`bench noise: bad --${name} entry "${text}"`);
      return value;
    });
  const [draws] = list('draws', '400', (x) => Number.isInteger(x) && x >= 2);
  return {
    draws,
    rollouts: list('rollouts', '16,64,256', (x) => Number.isInteger(x) && x >= 1),
    sigmas: list('sigmas', '0,0.1,0.5,1', (x) => Number.isFinite(x) && x >= 0),
  };
}

/** The fixed world and agent every estimate is drawn in. */
async function world() {
  const spec = getEnv(ENV).spec;
  const rng = createRng(2, 'noise-bench');
  const buffer = benchmarkBuffer(ENV, 1000, 2);
  const model = new WorldModel(
    spec,
    { members: 3, hiddenLayers: 2, hiddenUnits: 64, activation: 'relu' },
    rng.fork('model'),
  );
  await model.fit(buffer, 300, { batchSize: 128, learningRate: 3e-3 });
  const d = spec.observationNames.length;
  const shape = {
    observationDim: d,
    width: 64,
    depth: 2,
    inputMean: new Float32Array(d),
    inputScale: new Float32Array(d).fill(1),
  };
  const policy = new PolicyNetwork({ ...shape, actionSpace: spec.actionSpace }, rng.fork('policy'));
  const critic = new Critic(shape, 3e-3, rng.fork('critic'));
  const settings = (rollouts: number, rewardNoiseStd: number): ImaginationSettings => ({
    rollouts,
    horizon: 32,
    discount: 0.99,
    lambda: 0.95,
    reward: 'known',
    rewardNoiseStd,
    risk: { kind: 'mean', alpha: 0.3 },
  });
  const context = (rollouts: number, sigma: number, stream: string): ImprovementContext => ({
    model,
    policy,
    critic,
    buffer,
    settings: settings(rollouts, sigma),
    rng: rng.fork(stream),
  });
  return { model, policy, critic, context };
}

/** `count` estimates as flat vectors, each from fresh rollouts. */
async function estimates(context: ImprovementContext, count: number): Promise<Float64Array[]> {
  const estimator = await reinforceEstimator(context);
  const out: Float64Array[] = [];
  try {
    for (let k = 0; k < count; k++) {
      const estimate = estimator.estimate('raw');
      try {
        const parts = await Promise.all(estimate.grads.map((g) => g.data()));
        out.push(Float64Array.from(parts.flatMap((part) => Array.from(part))));
      } finally {
        estimate.dispose();
      }
    }
  } finally {
    estimator.dispose();
  }
  return out;
}

function mean(vectors: readonly Float64Array[]): Float64Array {
  const out = new Float64Array(vectors[0].length);
  for (const v of vectors) for (let i = 0; i < out.length; i++) out[i] += v[i] / vectors.length;
  return out;
}

/** Per-component sample variances. */
function variances(vectors: readonly Float64Array[], centre: Float64Array): Float64Array {
  const out = new Float64Array(centre.length);
  for (const v of vectors)
    for (let i = 0; i < out.length; i++) out[i] += (v[i] - centre[i]) ** 2 / (vectors.length - 1);
  return out;
}

const sum = (values: Float64Array) => values.reduce((a, b) => a + b, 0);
const dot = (a: Float64Array, b: Float64Array) => a.reduce((sum, x, i) => sum + x * b[i], 0);

function projectionSpread(vectors: readonly Float64Array[], direction: Float64Array) {
  const values = vectors.map((v) => dot(v, direction));
  const m = values.reduce((a, b) => a + b, 0) / values.length;
  const variance = values.reduce((sum, x) => sum + (x - m) ** 2, 0) / (values.length - 1);
  return { mean: m, standardError: Math.sqrt(variance / values.length) };
}

function slope(xs: readonly number[], ys: readonly number[]): number {
  const mx = xs.reduce((a, b) => a + b, 0) / xs.length;
  const my = ys.reduce((a, b) => a + b, 0) / ys.length;
  let num = 0;
  let den = 0;
  for (let i = 0; i < xs.length; i++) {
    num += (xs[i] - mx) * (ys[i] - my);
    den += (xs[i] - mx) ** 2;
  }
  return num / den;
}

const fmt = (x: number, digits = 3) => Number(x.toPrecision(digits)).toString();

export async function run(args: string[]): Promise<void> {
  const options = parseOptions(args);
  await tf.setBackend('wasm');
  const { model, policy, critic, context } = await world();
  try {
    for (let step = 0; step < CRITIC_STEPS; step++) {
      const estimator = await reinforceEstimator(context(256, 0, `critic-${step}`));
      const estimate = estimator.estimate('raw');
      await critic.train(estimate.trajectories, 0.99, 0.95, false);
      estimate.dispose();
      estimator.dispose();
    }
    const referenceDraws = await estimates(
      context(REFERENCE.rollouts, 0, 'reference'),
      REFERENCE.draws,
    );
    const reference = mean(referenceDraws);
    const length = Math.sqrt(dot(reference, reference));
    const direction = reference.map((x) => x / length);
    const referenceSpread = projectionSpread(referenceDraws, direction);
    const referenceTrace = sum(variances(referenceDraws, reference)) / REFERENCE.draws;
    console.log(
      `${ENV}, ${reference.length} policy parameters; reference abs(g) = ${fmt(length)} from ` +
        `${REFERENCE.draws} × ${REFERENCE.rollouts} noiseless rollouts; ${options.draws} estimates per row\n`,
    );
    console.log(
      '| σ | rollouts R | bias along g ÷ abs(g) (95 % interval) | squared error of the mean ÷ its value if unbiased | tr Cov(ĝ) · R | slope of log tr Cov on log R |',
    );
    console.log('|---:|---:|---|---:|---:|---:|');
    for (const sigma of options.sigmas) {
      const traces: number[] = [];
      const rows: string[] = [];
      for (const rollouts of options.rollouts) {
        const draws = await estimates(
          context(rollouts, sigma, `draws-${sigma}-${rollouts}`),
          options.draws,
        );
        const centre = mean(draws);
        const trace = sum(variances(draws, centre));
        traces.push(trace);
        const along = projectionSpread(draws, direction);
        const bias = (along.mean - referenceSpread.mean) / length;
        const half =
          (Z_95 * Math.hypot(along.standardError, referenceSpread.standardError)) / length;
        const error = centre.map((x, i) => x - reference[i]);
        const excess = dot(error, error) / (trace / options.draws + referenceTrace);
        rows.push(
          `| ${sigma} | ${rollouts} | ${fmt(bias, 2)} (${fmt(bias - half, 2)} … ${fmt(bias + half, 2)}) | ` +
            `${fmt(excess, 2)} | ${fmt(trace * rollouts)} |`,
        );
      }
      const fitted = slope(options.rollouts.map(Math.log), traces.map(Math.log));
      rows.forEach((row, i) => console.log(`${row} ${i === 0 ? fmt(fitted, 3) : ''} |`));
    }
  } finally {
    model.dispose();
    policy.dispose();
    critic.dispose();
  }
}
