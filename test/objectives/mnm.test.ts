/**
 * Mismatched No More: the classifier cannot tell two samples of the same transitions apart (held-
 * out accuracy ≈ ½) and tells an untrained model from the world (> 0.8); the model's loss pushes
 * its predictions toward what the classifier takes for real; the policy's bonus is differentiable
 * through the rollout (the loop runs in mnmLoop.test.ts).
 */
import * as tf from '@tensorflow/tfjs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ReplayBuffer } from '../../src/data/replayBuffer';
import { getEnv } from '../../src/envs';
import { ensembleForward } from '../../src/models/ensembleForward';
import { likelihoodObjective, type ModelObjective } from '../../src/models/objective';
import { normalizeRows, rawInputsAndTargets } from '../../src/models/normalizer';
import type { WorldModel } from '../../src/models/worldModel';
import { MismatchedNoMore } from '../../src/objectives/mnm';
import { realRows, TransitionClassifier } from '../../src/objectives/transitionClassifier';
import { createRng } from '../../src/rng';
import { classifierAccuracy } from '../../src/report';
import { collectRandomTransitions, useBackend } from '../models/helpers';
import { buildWorld, type TestWorld } from './worldHelpers';

describe('TransitionClassifier (Pendulum-v1, random transitions)', () => {
  const spec = getEnv('Pendulum-v1').spec;
  const d = spec.observationNames.length;
  // Two independent samples of the same transitions: a and b.
  const a = collectRandomTransitions('Pendulum-v1', 16, 80, createRng(1), {
    holdoutFraction: 0.25,
  });
  const b = collectRandomTransitions('Pendulum-v1', 16, 80, createRng(2), {
    holdoutFraction: 0.25,
  });
  const rows = (buffer: ReplayBuffer, split: 'train' | 'holdout', count: number) =>
    realRows(buffer.gather(buffer.slots(split).subarray(0, count)), spec.actionSpace);
  const count = (split: 'train' | 'holdout') =>
    Math.min(a.slots(split).length, b.slots(split).length);
  const classifier = () =>
    new TransitionClassifier(
      {
        observationDim: d,
        actionSpace: spec.actionSpace,
        width: 64,
        depth: 2,
        inputMean: new Float32Array([0, 0, 0]),
        inputScale: new Float32Array([0.7, 0.7, 4]),
      },
      1e-3,
      createRng(3),
    );

  beforeAll(() => useBackend('wasm'));

  it('cannot tell two samples of the same transitions apart: held-out accuracy ≈ ½', async () => {
    const c = classifier();
    const tensors = tf.memory().numTensors;
    await c.train(
      rows(a, 'train', count('train')),
      rows(b, 'train', count('train')),
      200,
      128,
      createRng(4),
    );
    const accuracy = await c.accuracy(
      rows(a, 'holdout', count('holdout')),
      rows(b, 'holdout', count('holdout')),
    );
    expect(accuracy).toBeGreaterThan(0.4);
    expect(accuracy).toBeLessThan(0.6);
    // Its first training fixed the delta moments (2 tensors); nothing else stays behind.
    expect(tf.memory().numTensors).toBe(tensors + 2);
    c.dispose();
  });

  it('tells a model that is wrong by 30 % of each velocity change from the world: held-out accuracy > 0.8', async () => {
    // The same rows as the real ones but Δθ̇ scaled by 1.3: a plausible-looking, biased model.
    const wrong = (real: ReturnType<typeof rows>) => {
      const deltas = real.deltas.slice();
      for (let i = 2; i < deltas.length; i += d) deltas[i] *= 1.3;
      return { ...real, deltas };
    };
    const c = classifier();
    const train = rows(a, 'train', count('train'));
    await c.train(train, wrong(train), 200, 128, createRng(4));
    const holdout = rows(a, 'holdout', count('holdout'));
    expect(await c.accuracy(holdout, wrong(holdout))).toBeGreaterThan(0.8);
    c.dispose();
  });
});

/** Each member's classifier term, mean_rows −log C(s, a, ŝ'_m) = (ℓ_mnm − ℓ_likelihood)/λ, on the train rows. */
async function classifierTerm(
  model: WorldModel,
  buffer: ReplayBuffer,
  loss: ModelObjective,
  strength: number,
) {
  const raw = rawInputsAndTargets(buffer.gather(buffer.slots('train')), model.spec.actionSpace);
  const { stats } = model;
  const E = model.config.members;
  const n = raw.inputs.length / raw.inputDim;
  const repeat = (values: Float32Array) =>
    Float32Array.from({ length: E * values.length }, (_, i) => values[i % values.length]);
  const term = tf.tidy(() => {
    const batch = {
      inputs: tf.tensor3d(repeat(normalizeRows(raw.inputs, stats.inputMean, stats.inputStd)), [
        E,
        n,
        raw.inputDim,
      ]),
      targets: tf.tensor3d(repeat(normalizeRows(raw.targets, stats.targetMean, stats.targetStd)), [
        E,
        n,
        raw.targetDim,
      ]),
      slots: new Int32Array(E * n),
    };
    const context = {
      forward: (x: tf.Tensor3D) => ensembleForward(model.ensemble, x, model.layout),
      parameters: model.ensemble,
      likelihood: model.config.likelihood,
      stats,
      step: 0,
    };
    return tf.div(
      tf.sub(loss.loss(batch, context), likelihoodObjective.loss(batch, context)),
      strength,
    );
  });
  const values = Array.from(await term.data());
  term.dispose();
  return values;
}

describe('MismatchedNoMore (Pendulum-v1)', () => {
  let untrained: TestWorld;
  let fitted: TestWorld;
  let twin: TestWorld;

  beforeAll(async () => {
    await useBackend('wasm');
    untrained = await buildWorld('Pendulum-v1', { fitSteps: 0 });
    // Two models alike in every bit, fitted briefly: one goes on by likelihood, one by MnM's loss.
    fitted = await buildWorld('Pendulum-v1', { fitSteps: 60 });
    twin = await buildWorld('Pendulum-v1', { fitSteps: 60 });
  });
  afterAll(() => [untrained, fitted, twin].forEach((w) => w.dispose()));

  it('reports a held-out accuracy above 0.8 against an untrained model', async () => {
    const objective = new MismatchedNoMore(untrained.setup({ kind: 'mnm' }));
    expect(objective.policyReward()).toBeNull();
    await objective.adaptModel(untrained.world);
    const { report } = await objective.figures();
    expect(report.kind).toBe('mnm');
    expect(classifierAccuracy(report)).toBeGreaterThan(0.8);
    objective.dispose();
  });

  it('makes the model fool the frozen classifier more than likelihood alone does', async () => {
    const strength = 3;
    const objective = new MismatchedNoMore(fitted.setup({ kind: 'mnm', strength }));
    expect(await objective.modelLoss(fitted.world)).toBe(likelihoodObjective);
    await objective.adaptModel(fitted.world);
    const loss = await objective.modelLoss(fitted.world);
    expect(loss.name).toBe('mnm');
    const classifierWeights = await Promise.all(
      (objective as unknown as { classifier: TransitionClassifier }).classifier.variables.map((v) =>
        v.data(),
      ),
    );
    const options = { batchSize: 64, learningRate: 3e-3 };
    await fitted.world.model.fit(fitted.world.buffer, 150, { ...options, objective: loss });
    await twin.world.model.fit(twin.world.buffer, 150, options);
    const fooled = await classifierTerm(fitted.world.model, fitted.world.buffer, loss, strength);
    const plain = await classifierTerm(twin.world.model, twin.world.buffer, loss, strength);
    fooled.forEach((term, m) => expect(term).toBeLessThan(plain[m]));
    // Only the model learnt: the classifier's weights are as it left them.
    const after = await Promise.all(
      (objective as unknown as { classifier: TransitionClassifier }).classifier.variables.map((v) =>
        v.data(),
      ),
    );
    expect(after.map((v) => Array.from(v))).toEqual(classifierWeights.map((v) => Array.from(v)));
    objective.dispose();
  });
});
