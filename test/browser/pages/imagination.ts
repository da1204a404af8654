/**
 * A dev-only page (served by a vite dev server, not part of the app) that runs the imagination
 * engine's gradient checks (test/imagination/gradientCases.ts, fitStep against the tape) on a
 * chosen tfjs backend, for the browser suite's WebGPU and WebGL runs.
 */
import * as tf from '@tensorflow/tfjs';
import { initBackend, type BackendName } from '../../../src/backend';
import { ensembleForward } from '../../../src/models/ensembleForward';
import { fitGradients } from '../../../src/models/fitStep';
import { layoutFor } from '../../../src/models/layout';
import { likelihoodObjective, type ObjectiveContext } from '../../../src/models/objective';
import { createRng } from '../../../src/rng';
import { relativeDifference } from '../../imagination/tapeOracle';
import { compareCase, type Case, type Comparison } from '../../imagination/gradientCases';
import { buildWorld } from '../../objectives/worldHelpers';

export interface FitComparison {
  readonly differences: number[];
  readonly largest: number;
}

async function useBackend(backend: BackendName): Promise<void> {
  const choice = await initBackend({ preference: backend, wasmPaths: '/tfjs-wasm/' });
  if (choice.backend !== backend) throw new Error(`${backend} did not start: ${choice.reason}`);
}

async function policy(backend: BackendName, testCase: Case): Promise<Comparison> {
  await useBackend(backend);
  return compareCase(testCase);
}

/** One fit step's hand-written gradient against the tape of the likelihood (Gaussian, relu). */
async function fit(backend: BackendName): Promise<FitComparison> {
  await useBackend(backend);
  const test = await buildWorld('Pendulum-v1', { members: 3, fitSteps: 20, activation: 'relu', likelihood: 'gaussian' });
  try {
    const { model } = test.world;
    const params = model.ensemble;
    const E = params.shape.members;
    const b = 32;
    const rng = createRng(9);
    const [inputDim, outputDim] = [params.shape.inputDim, params.shape.outputDim];
    const inputs = Float32Array.from({ length: E * b * inputDim }, () => rng.normal());
    const targets = Float32Array.from({ length: E * b * outputDim }, () => rng.normal());
    const slots = new Int32Array(E * b);
    const context: ObjectiveContext = { forward: (x) => ensembleForward(params, x, layoutFor(tf.getBackend())), parameters: params, likelihood: 'gaussian', stats: model.stats, step: 0 };
    const perMember = {
      inputs: Array.from({ length: E }, (_, m) => tf.tensor2d(inputs.subarray(m * b * inputDim, (m + 1) * b * inputDim), [b, inputDim])),
      targets: Array.from({ length: E }, (_, m) => tf.tensor2d(targets.subarray(m * b * outputDim, (m + 1) * b * outputDim), [b, outputDim])),
      slots,
    };
    const stacked = { inputs: tf.tensor3d(inputs, [E, b, inputDim]), targets: tf.tensor3d(targets, [E, b, outputDim]), slots };
    const hand = fitGradients(params, perMember, likelihoodObjective, context);
    const variables = params.variables();
    const tape = tf.variableGrads(() => tf.sum(likelihoodObjective.loss(stacked, context)) as tf.Scalar, variables);
    const differences: number[] = [];
    let largest = 0;
    for (let i = 0; i < variables.length; i++) {
      const expected = tape.grads[variables[i].name];
      const shaped = tf.reshape(hand[i], expected.shape);
      differences.push(await relativeDifference(shaped, expected));
      const max = tf.max(tf.abs(expected));
      largest = Math.max(largest, (await max.data())[0]);
      tf.dispose([shaped, max]);
    }
    tf.dispose([...hand, tape.value, ...Object.values(tape.grads), ...perMember.inputs, ...perMember.targets, stacked.inputs, stacked.targets]);
    return { differences, largest };
  } finally {
    test.dispose();
  }
}

declare global {
  interface Window {
    imaginationPage: { ready: boolean; policy: typeof policy; fit: typeof fit };
  }
}

window.imaginationPage = { ready: true, policy, fit };
