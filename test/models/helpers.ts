/**
 * Shared by the model tests: real transitions from the envs, and a plain float64 per-member
 * reference of what the ensemble computes, written from the maths and not from the tfjs code.
 */
import * as tf from '@tensorflow/tfjs';
import '@tensorflow/tfjs-backend-wasm';
import { ReplayBuffer } from '../../src/data/replayBuffer';
import { getEnv } from '../../src/envs';
import type { EnvId } from '../../src/envs/types';
import { encodeActionArray } from '../../src/models/actions';
import { activateScalar, type Activation } from '../../src/models/activation';
import type { WorldModel } from '../../src/models/worldModel';
import type { Rng } from '../../src/rng';

export async function useBackend(name: 'wasm' | 'cpu'): Promise<void> {
  await tf.setBackend(name);
  await tf.ready();
}

/** `steps` steps of `envs` parallel copies under uniformly random actions, resetting finished ones. */
export function collectRandomTransitions(
  envId: EnvId,
  envs: number,
  steps: number,
  rng: Rng,
  options: { capacity?: number; holdoutFraction?: number } = {},
): ReplayBuffer {
  const env = getEnv(envId);
  const batch = env.createBatch(envs);
  batch.reset(rng);
  const d = env.spec.observationNames.length;
  const buffer = new ReplayBuffer({
    capacity: options.capacity ?? envs * steps,
    observationDim: d,
    actionDim: 1,
    holdoutFraction: options.holdoutFraction ?? 0.1,
    splitSeed: rng.seed32(),
  });
  const space = env.spec.actionSpace;
  const actions = new Float64Array(envs);
  for (let t = 0; t < steps; t++) {
    const before = batch.observations.map((column) => column.slice());
    for (let i = 0; i < envs; i++) actions[i] = space.kind === 'box' ? rng.uniform(space.low, space.high) : rng.int(space.n);
    batch.step(actions);
    buffer.addBatch(before, actions, batch.rewards, batch.observations, batch.terminated);
    for (let i = 0; i < envs; i++) if (batch.terminated[i] || batch.truncated[i]) batch.resetAt(i, rng);
  }
  return buffer;
}

export interface MemberReference {
  /** next observation, reward, and (Gaussian) the std of the next observation. */
  predict(observation: number[], action: number): { next: number[]; reward: number; std: number[] | null };
}

/** Reads member m's weights out of the model and evaluates the network in float64. */
export async function memberReference(model: WorldModel, member: number): Promise<MemberReference> {
  const read = async (variable: tf.Variable) => Array.from(await variable.data());
  const params = model.ensemble;
  const weights = await Promise.all(params.weights.map((layer) => read(layer[member])));
  const biases = await Promise.all(params.biases.map((layer) => read(layer[member])));
  const head = params.logVarHead;
  const logVar =
    head === null
      ? null
      : {
          weight: await read(head.weight[member]),
          bias: await read(head.bias[member]),
          max: await read(head.max[member]),
          min: await read(head.min[member]),
        };
  const stats = model.stats;
  const activation: Activation = model.config.activation;
  const space = model.spec.actionSpace;
  const d = model.observationDim;
  const affine = (x: number[], w: number[], b: number[]) =>
    b.map((bias, j) => x.reduce((sum, xi, i) => sum + xi * w[i * b.length + j], bias));
  const softplus = (x: number) => Math.log1p(Math.exp(-Math.abs(x))) + Math.max(x, 0);
  return {
    predict(observation, action) {
      const features = Array.from(encodeActionArray([action], space));
      let h = [...observation, ...features].map((x, k) => (x - stats.inputMean[k]) / stats.inputStd[k]);
      for (let l = 0; l + 1 < weights.length; l++) h = affine(h, weights[l], biases[l]).map((z) => activateScalar(z, activation));
      const out = affine(h, weights[weights.length - 1], biases[biases.length - 1]);
      const real = out.map((o, k) => o * stats.targetStd[k] + stats.targetMean[k]);
      let std: number[] | null = null;
      if (logVar !== null) {
        const raw = affine(h, logVar.weight, logVar.bias);
        std = raw.slice(0, d).map((r, k) => {
          const upper = logVar.max[k] - softplus(logVar.max[k] - r);
          const bounded = logVar.min[k] + softplus(upper - logVar.min[k]);
          return stats.targetStd[k] * Math.exp(0.5 * bounded);
        });
      }
      return { next: observation.map((o, k) => o + real[k]), reward: real[d], std };
    },
  };
}

/** Rows of a [R, d] row-major array. */
export function rows(values: ArrayLike<number>, width: number): number[][] {
  const out: number[][] = [];
  for (let i = 0; i < values.length; i += width) out.push(Array.from(values).slice(i, i + width));
  return out;
}

/** |a − b| ≤ atol + rtol·|b|, elementwise; returns the worst excess ratio for a readable failure. */
export function worstRelativeError(actual: ArrayLike<number>, expected: ArrayLike<number>, atol = 1e-5, rtol = 1e-4): number {
  let worst = 0;
  for (let i = 0; i < expected.length; i++) {
    const ratio = Math.abs(actual[i] - expected[i]) / (atol + rtol * Math.abs(expected[i]));
    if (!(ratio <= worst)) worst = Number.isNaN(ratio) ? Infinity : Math.max(worst, ratio);
  }
  return worst;
}
