/**
 * The imagination engine's gradient against tfjs's tape on one case (tapeOracle.ts), shared by
 * the Node test (policyGradient.test.ts, WASM and CPU) and the browser page that runs the same
 * comparison on WebGPU and WebGL (test/browser/pages/imagination.ts).
 */
import * as tf from '@tensorflow/tfjs';
import type { EnvId } from '../../src/envs/types';
import type { ImaginedReward } from '../../src/imagination/rewardTerm';
import type { Activation } from '../../src/models/activation';
import { encodeActions } from '../../src/models/actions';
import { disagreementSignal, ErrorHead, errorRewards, type ErrorSignal } from '../../src/objectives/errorSignal';
import { classifierBonus } from '../../src/objectives/mnm';
import { realRows, TransitionClassifier } from '../../src/objectives/transitionClassifier';
import { ImaginedPolicyGradient } from '../../src/policies/gradientImprover';
import { sampleStartObservations, type ImaginationSettings } from '../../src/policies/improver';
import { createRng } from '../../src/rng';
import { buildWorld, type TestWorld } from '../objectives/worldHelpers';
import { relativeDifference, tapeGradients, tapeLoss, type TapeReward } from './tapeOracle';

export type Rewrite = 'none' | 'errorHead' | 'disagreement' | 'classifier';

export interface Case {
  readonly env: EnvId;
  readonly reward: 'known' | 'learned';
  readonly risk: 'mean' | 'cvar';
  readonly activation?: Activation;
  readonly depth?: number;
  readonly rewrite?: Rewrite;
  /** Hidden units per member: past BLOCK_UNITS / members the member layout runs. */
  readonly width?: number;
  /** The model's fit before the comparison (150) and the imagined horizon (12): less where a backend is slow (SwiftShader). */
  readonly fitSteps?: number;
  readonly horizon?: number;
}

export const CASES: Case[] = [
  { env: 'Pendulum-v1', reward: 'known', risk: 'mean' },
  { env: 'Pendulum-v1', reward: 'learned', risk: 'mean', activation: 'relu' },
  { env: 'Pendulum-v1', reward: 'known', risk: 'cvar', activation: 'tanh' },
  { env: 'Pendulum-v1', reward: 'learned', risk: 'mean', activation: 'silu' },
  { env: 'Pendulum-v1', reward: 'known', risk: 'mean', activation: 'sigmoid', depth: 1 },
  { env: 'Pendulum-v1', reward: 'learned', risk: 'cvar', depth: 0 },
  { env: 'MountainCarContinuous-v0', reward: 'known', risk: 'mean', activation: 'relu' },
  { env: 'CartPole-v1', reward: 'learned', risk: 'mean' },
  { env: 'Acrobot-v1', reward: 'known', risk: 'cvar', activation: 'relu' },
  { env: 'Pendulum-v1', reward: 'known', risk: 'mean', activation: 'relu', rewrite: 'errorHead' },
  { env: 'CartPole-v1', reward: 'known', risk: 'mean', rewrite: 'errorHead' },
  { env: 'Pendulum-v1', reward: 'known', risk: 'mean', activation: 'relu', rewrite: 'disagreement' },
  { env: 'Acrobot-v1', reward: 'known', risk: 'mean', rewrite: 'disagreement' },
  { env: 'Pendulum-v1', reward: 'learned', risk: 'mean', activation: 'relu', rewrite: 'classifier' },
  { env: 'CartPole-v1', reward: 'known', risk: 'mean', rewrite: 'classifier' },
  // Deeper block layouts: narrow and wide layers alternate (chosenMemberLayers.ts), the head
  // stacked after a wide last layer (depth 3) or widened after a narrow one (depth 4).
  { env: 'Pendulum-v1', reward: 'learned', risk: 'mean', activation: 'elu', depth: 3, width: 32 },
  { env: 'CartPole-v1', reward: 'known', risk: 'cvar', activation: 'silu', depth: 4, width: 24 },
  { env: 'MountainCarContinuous-v0', reward: 'learned', risk: 'mean', activation: 'relu', depth: 4, width: 32, rewrite: 'disagreement' },
  // The member layout (3 × 96 units > BLOCK_UNITS).
  { env: 'Pendulum-v1', reward: 'learned', risk: 'mean', activation: 'relu', width: 96 },
  { env: 'Pendulum-v1', reward: 'known', risk: 'cvar', activation: 'silu', width: 96 },
  { env: 'Acrobot-v1', reward: 'learned', risk: 'mean', activation: 'elu', width: 96, depth: 1 },
  { env: 'Pendulum-v1', reward: 'known', risk: 'mean', activation: 'tanh', width: 96, rewrite: 'disagreement' },
];

/** The engine's reward rewrite and the tape's, for the same world; `dispose` frees both. */
export async function rewrites(rewrite: Rewrite, test: TestWorld): Promise<{ engine?: ImaginedReward; tape?: TapeReward; dispose(): void }> {
  const { model, buffer, definition } = test.world;
  const space = definition.spec.actionSpace;
  const d = definition.spec.observationNames.length;
  const rng = createRng(11);
  const fromSignal = (signal: ErrorSignal) => ({
    engine: signal.reward,
    tape: (rollout: Parameters<TapeReward>[0]) => errorRewards(signal.value, rollout.observations, rollout.actions, rollout.alive),
  });
  switch (rewrite) {
    case 'none':
      return { dispose: () => undefined };
    case 'disagreement': {
      const signal = await disagreementSignal(model);
      return { ...fromSignal(signal), dispose: () => signal.dispose() };
    }
    case 'errorHead': {
      const head = new ErrorHead({ observationDim: d, actionSpace: space, inputMean: test.inputMean, inputScale: test.inputScale, width: 16 }, rng);
      const batch = buffer.gather(buffer.slots('all'));
      const errors = Float32Array.from({ length: batch.count }, (_, i) => 0.1 + Math.abs(batch.observations[i * d]));
      await head.fit(batch.observations, batch.actions, errors, rng);
      const signal = head.signal();
      return {
        ...fromSignal(signal),
        dispose: () => {
          signal.dispose();
          head.dispose();
        },
      };
    }
    case 'classifier': {
      const classifier = new TransitionClassifier(
        { observationDim: d, actionSpace: space, width: 16, depth: 2, inputMean: test.inputMean, inputScale: test.inputScale },
        1e-2,
        rng,
      );
      const real = realRows(buffer.gather(buffer.slots('all')), space);
      // Model twins: the same rows with their deltas scaled, so the classifier has something to learn.
      const twins = { ...real, deltas: real.deltas.map((v) => v * 1.3) };
      await classifier.train(real, twins, 60, 64, rng);
      const tape: TapeReward = (rollout) =>
        tf.tidy(() => {
          const [T, R] = [rollout.observations.shape[0], rollout.observations.shape[1]];
          const H = T - 1;
          const flat = tf.reshape(rollout.observations, [T * R, d]);
          const before = tf.slice(flat, [0, 0], [H * R, d]) as tf.Tensor2D;
          const after = tf.slice(flat, [R, 0], [H * R, d]) as tf.Tensor2D;
          const actions = encodeActions(tf.reshape(rollout.actions, [H * R, -1]) as tf.Tensor2D, space);
          const logits = tf.reshape(classifier.logit(before, actions, tf.sub(after, before) as tf.Tensor2D), [H, R]);
          return tf.add(rollout.rewards, tf.mul(tf.clipByValue(logits, -5, 5), rollout.alive)) as tf.Tensor2D;
        });
      return { engine: classifierBonus(classifier, space), tape, dispose: () => classifier.dispose() };
    }
  }
}

export interface Comparison {
  readonly engineLoss: number;
  readonly tapeLoss: number;
  /** Per variable: max |engine − tape| / max |tape|. */
  readonly differences: number[];
  /** The largest |tape gradient| over all variables (a gradient of zeros would pass anything). */
  readonly largest: number;
  /** Tensors the engine's step left behind (it should leave none). */
  readonly leaked: number;
}

/** Builds the case's world on the backend in use and compares one step's gradients. */
export async function compareCase(testCase: Case, world?: TestWorld): Promise<Comparison> {
  const { env, reward, risk, activation, depth, width, rewrite = 'none', fitSteps = 150, horizon = 12 } = testCase;
  const test = world ?? (await buildWorld(env, { members: 3, fitSteps, horizon, rollouts: 24, activation, depth, width }));
  try {
    const { model, policy, critic, buffer } = test.world;
    const reshaped = await rewrites(rewrite, test);
    try {
      const base: ImaginationSettings = { ...test.world.imagination, reward, risk: { kind: risk, alpha: 0.4 } };
      const settings: ImaginationSettings = reshaped.engine === undefined ? base : { ...base, imaginedReward: reshaped.engine };
      const starts = sampleStartObservations(buffer, settings.rollouts, createRng(5));
      const before = tf.memory().numTensors;
      const engine = await ImaginedPolicyGradient.create({ model, policy, settings });
      const pass = engine.step(critic, starts, createRng(6));
      const engineLoss = (await pass.loss.data())[0];
      const oracle = await tapeGradients(() => tapeLoss(model, policy, critic, starts, base, createRng(6), reshaped.tape), policy.variables);
      const differences: number[] = [];
      let largest = 0;
      for (let i = 0; i < oracle.gradients.length; i++) {
        differences.push(await relativeDifference(pass.gradients[i], oracle.gradients[i]));
        const max = tf.tidy(() => tf.max(tf.abs(oracle.gradients[i])));
        largest = Math.max(largest, (await max.data())[0]);
        max.dispose();
      }
      tf.dispose(oracle.gradients);
      pass.dispose();
      engine.dispose();
      const leaked = tf.memory().numTensors - before;
      starts.dispose();
      return { engineLoss, tapeLoss: oracle.value, differences, largest, leaked };
    } finally {
      reshaped.dispose();
    }
  } finally {
    if (world === undefined) test.dispose();
  }
}
