/**
 * The fit's hand-written gradient (fitStep.ts) against tfjs's tape over the objective's own loss
 * (its definition): per variable, max |difference| ≤ 1e-4 × max |tape gradient|. Every
 * activation, a linear model, the Gaussian likelihood with its learned bounds, and each
 * objective's loss: likelihood, occupancy-weighted likelihood, MnM's fool-the-classifier term.
 */
import * as tf from '@tensorflow/tfjs';
import { beforeAll, describe, expect, it } from 'vitest';
import type { Activation } from '../../src/models/activation';
import { ensembleForward } from '../../src/models/ensembleForward';
import { fitGradients } from '../../src/models/fitStep';
import { layoutFor } from '../../src/models/layout';
import type { Likelihood } from '../../src/models/likelihood';
import { likelihoodObjective, type ModelObjective, type ObjectiveContext } from '../../src/models/objective';
import { MismatchedNoMore } from '../../src/objectives/mnm';
import { weightedLikelihood } from '../../src/objectives/occupancyWeights';
import { createRng } from '../../src/rng';
import { relativeDifference } from '../imagination/tapeOracle';
import { buildWorld, type TestWorld } from '../objectives/worldHelpers';
import { useBackend } from './helpers';

interface Case {
  readonly activation: Activation;
  readonly depth: number;
  readonly likelihood: Likelihood;
  readonly objective: 'likelihood' | 'weighted' | 'mnm';
}

const CASES: Case[] = [
  { activation: 'relu', depth: 2, likelihood: 'mse', objective: 'likelihood' },
  { activation: 'elu', depth: 2, likelihood: 'gaussian', objective: 'likelihood' },
  { activation: 'tanh', depth: 1, likelihood: 'mse', objective: 'weighted' },
  { activation: 'silu', depth: 2, likelihood: 'gaussian', objective: 'weighted' },
  { activation: 'sigmoid', depth: 3, likelihood: 'mse', objective: 'likelihood' },
  { activation: 'relu', depth: 0, likelihood: 'gaussian', objective: 'likelihood' },
  { activation: 'relu', depth: 2, likelihood: 'mse', objective: 'mnm' },
  { activation: 'elu', depth: 1, likelihood: 'gaussian', objective: 'mnm' },
];

async function objectiveFor(name: Case['objective'], test: TestWorld): Promise<{ objective: ModelObjective; dispose(): void }> {
  if (name === 'likelihood') return { objective: likelihoodObjective, dispose: () => undefined };
  if (name === 'weighted') {
    const rng = createRng(3);
    const weights = Float32Array.from({ length: test.world.buffer.capacity }, () => rng.uniform(0.2, 3));
    return { objective: weightedLikelihood(weights), dispose: () => undefined };
  }
  const mnm = new MismatchedNoMore(test.setup({ kind: 'mnm', strength: 0.5 }));
  await mnm.adaptModel(test.world);
  return { objective: await mnm.modelLoss(test.world), dispose: () => mnm.dispose() };
}

describe.each(['wasm', 'cpu'] as const)('the fit step’s gradient on %s', (backend) => {
  beforeAll(() => useBackend(backend));

  it.each(CASES)('$activation, depth $depth, $likelihood, $objective: matches the tape', async ({ activation, depth, likelihood, objective: name }) => {
    const test = await buildWorld('Pendulum-v1', { members: 3, fitSteps: 30, activation, depth, likelihood });
    const { model, buffer } = test.world;
    const { objective, dispose } = await objectiveFor(name, test);
    const params = model.ensemble;
    const E = params.shape.members;
    const b = 40;
    const rng = createRng(9);
    const inputDim = params.shape.inputDim;
    const outputDim = params.shape.outputDim;
    const inputs = Float32Array.from({ length: E * b * inputDim }, () => rng.normal());
    const targets = Float32Array.from({ length: E * b * outputDim }, () => rng.normal());
    const all = buffer.slots('all');
    const slots = Int32Array.from({ length: E * b }, () => all[rng.int(all.length)]);
    const context: ObjectiveContext = {
      forward: (x) => ensembleForward(params, x, layoutFor(tf.getBackend())),
      parameters: params,
      likelihood,
      stats: model.stats,
      step: 0,
    };
    const perMember = {
      inputs: Array.from({ length: E }, (_, m) => tf.tensor2d(inputs.subarray(m * b * inputDim, (m + 1) * b * inputDim), [b, inputDim])),
      targets: Array.from({ length: E }, (_, m) => tf.tensor2d(targets.subarray(m * b * outputDim, (m + 1) * b * outputDim), [b, outputDim])),
      slots,
    };
    const stacked = { inputs: tf.tensor3d(inputs, [E, b, inputDim]), targets: tf.tensor3d(targets, [E, b, outputDim]), slots };
    const before = tf.memory().numTensors;
    const hand = fitGradients(params, perMember, objective, context);
    const variables = params.variables();
    const tape = tf.variableGrads(() => tf.sum(objective.loss(stacked, context)) as tf.Scalar, variables);
    expect(hand).toHaveLength(variables.length);
    for (let i = 0; i < variables.length; i++) {
      const expected = tape.grads[variables[i].name];
      const shaped = tf.reshape(hand[i], expected.shape);
      const difference = await relativeDifference(shaped, expected);
      shaped.dispose();
      expect(difference, `variable ${i} [${variables[i].shape}]`).toBeLessThan(1e-4);
    }
    tf.dispose([...hand, tape.value, ...Object.values(tape.grads)]);
    expect(tf.memory().numTensors).toBe(before);
    tf.dispose([...perMember.inputs, ...perMember.targets, stacked.inputs, stacked.targets]);
    dispose();
    test.dispose();
  });
});
