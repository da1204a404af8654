/**
 * The adversary: a second policy whose MDP is the model with the model's own error as reward
 * (the Error-MDP). Finding the worst-case policy is an ordinary RL problem, so it reuses the
 * gradient optimiser through imagined rollouts:
 *   max_ψ E [ Σ_{t<H} γ^t e(o_t, μ_ψ(o_t)) + γ^H U(o_H) ],   o_{t+1} = f̂(o_t, μ_ψ(o_t)),
 * with U its own critic of the error-to-go. Run in the real env, it collects data where the model
 * is wrong for some policy (active data selection).
 */
import type * as tf from '@tensorflow/tfjs';
import type { StepActor } from '../data/collect';
import type { ReplayBuffer } from '../data/replayBuffer';
import type { WorldModel } from '../models/worldModel';
import type { ErrorSignal } from '../objectives/errorSignal';
import type { Rng } from '../rng';
import { Critic, type CriticShape } from './critic';
import { GradientImprover } from './gradientImprover';
import type { ImaginationSettings, ImprovementResult } from './improver';
import { JsPolicy } from './jsPolicy';
import { PolicyNetwork, type PolicyShape, type PolicySnapshot } from './policyNetwork';

export class Adversary {
  readonly policy: PolicyNetwork;
  private readonly errorToGo: Critic;
  private readonly improver: GradientImprover;
  /** The policy's weights as the last play left them, for `actor`. */
  private played: PolicySnapshot | null = null;

  constructor(
    policyShape: PolicyShape,
    criticShape: CriticShape,
    learningRate: number,
    criticLearningRate: number,
    rng: Rng,
  ) {
    this.policy = new PolicyNetwork(policyShape, rng.fork('policy'));
    this.errorToGo = new Critic(criticShape, criticLearningRate, rng.fork('critic'));
    this.improver = new GradientImprover(learningRate);
  }

  /** `steps` gradient steps on the Error-MDP of `signal` in the model; the result's return is in e's units. */
  async play(
    model: WorldModel,
    buffer: ReplayBuffer,
    signal: ErrorSignal,
    imagination: ImaginationSettings,
    steps: number,
    rng: Rng,
  ): Promise<ImprovementResult> {
    const settings: ImaginationSettings = {
      ...imagination,
      rewardNoiseStd: 0,
      risk: { kind: 'mean', alpha: 1 },
      imaginedReward: signal.reward,
    };
    const result = await this.improver.improve(
      { model, policy: this.policy, critic: this.errorToGo, buffer, settings, rng },
      steps,
    );
    this.played = await this.policy.snapshot();
    return result;
  }

  /**
   * Acting in the real env, in plain JS, as the last `play` left it; `noise` as the policy's
   * exploration noise. Its weights were read when that play ended (asynchronously: a synchronous
   * read on WebGPU lost the device in headless Chromium). Only after a play.
   */
  actor(noise: number, rng: Rng): StepActor {
    if (this.played === null) throw new Error('Adversary.actor: the adversary has not played yet');
    const js = new JsPolicy(this.played);
    return (observation) => js.act(observation, noise, rng);
  }

  deterministicAction(observations: tf.Tensor2D): tf.Tensor2D {
    return this.policy.deterministicAction(observations);
  }

  dispose(): void {
    this.policy.dispose();
    this.errorToGo.dispose();
    this.improver.dispose();
  }
}
