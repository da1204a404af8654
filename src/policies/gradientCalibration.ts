/**
 * One imagined gradient step as the improve phase takes it, for `auto`'s calibration
 * (experimentCalibration.ts): on WebGPU the fused programs, elsewhere the engine, so each backend
 * is timed on the path it would run.
 */
import type { ReplayBuffer } from '../data/replayBuffer';
import type { WorldModel } from '../models/worldModel';
import type { Rng } from '../rng';
import { Critic } from './critic';
import { CRITIC } from './criticShape';
import { createImaginedGradient } from './gradientImprover';
import { sampleStartObservations, type ImaginationSettings } from './improver';
import { PolicyNetwork } from './policyNetwork';

export interface GradientWorkload {
  readonly policyWidth: number;
  readonly policyDepth: number;
  readonly settings: ImaginationSettings;
}

export async function imaginedGradientStep(
  model: WorldModel,
  buffer: ReplayBuffer,
  workload: GradientWorkload,
  rng: Rng,
): Promise<void> {
  const d = model.observationDim;
  const moments = { inputMean: new Float32Array(d), inputScale: new Float32Array(d).fill(1) };
  const policy = new PolicyNetwork(
    {
      observationDim: d,
      actionSpace: model.spec.actionSpace,
      width: workload.policyWidth,
      depth: workload.policyDepth,
      ...moments,
    },
    rng.fork('calibration-policy'),
  );
  const critic = new Critic(
    { observationDim: d, width: CRITIC.width, depth: CRITIC.depth, ...moments },
    CRITIC.learningRate,
    rng.fork('calibration-critic'),
  );
  const starts = sampleStartObservations(buffer, workload.settings.rollouts, rng);
  try {
    const gradient = await createImaginedGradient({
      model,
      policy,
      critic,
      settings: workload.settings,
    });
    try {
      const pass = gradient.step(critic, starts, rng);
      try {
        await pass.loss.data();
      } finally {
        pass.dispose();
      }
    } finally {
      gradient.dispose();
    }
  } finally {
    starts.dispose();
    policy.dispose();
    critic.dispose();
  }
}
