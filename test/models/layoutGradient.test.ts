/**
 * WebGPU and WebGL run the ensemble as batched 3-D matMuls, WASM as per-member 2-D ones: a policy
 * gradient taken through a rollout must not depend on which (tfjs's BatchMatMul gradient does not
 * sum over a broadcast batch dimension, so shared rows must be laid out per member).
 */
import * as tf from '@tensorflow/tfjs';
import { beforeAll, describe, expect, it } from 'vitest';
import { getEnv } from '../../src/envs';
import { WorldModel } from '../../src/models/worldModel';
import type { MemberLayout } from '../../src/models/layout';
import { createRng } from '../../src/rng';
import { useBackend } from './helpers';

function policyGradient(members: MemberLayout): Float32Array {
  const spec = getEnv('Pendulum-v1').spec;
  const model = new WorldModel(
    spec,
    { members: 3, hiddenLayers: 1, hiddenUnits: 8, layout: { members, transposes: 'flags' } },
    createRng(1),
  );
  const weights = tf.variable(tf.fill([3, 1], 0.1));
  const starts = tf.randomUniform([4, 3], -1, 1, 'float32', 3) as tf.Tensor2D;
  const { grads, value } = tf.variableGrads(() => {
    const rollout = model.rollout(starts, (o) => tf.matMul(o, weights) as tf.Tensor2D, 3, {
      member: 'random',
      rng: createRng(2),
    });
    return rollout.rewards.sum() as tf.Scalar;
  }, [weights]);
  const gradient = grads[weights.name].dataSync() as Float32Array;
  tf.dispose([weights, starts, value, ...Object.values(grads)]);
  model.dispose();
  return gradient;
}

describe('policy gradients through a rollout', () => {
  beforeAll(() => useBackend('wasm'));

  it('are the same with batched and per-member ensemble layouts', () => {
    const batched = policyGradient('batched');
    const perMember = policyGradient('perMember');
    expect(Math.max(...Array.from(perMember, Math.abs))).toBeGreaterThan(1e-3);
    for (let i = 0; i < perMember.length; i++) expect(batched[i]).toBeCloseTo(perMember[i], 5);
  });
});
