/**
 * `stackelberg`: maximin model adaptation (ROMBRL-style). Policy and model play a Stackelberg
 * game: the policy leads, the model follows pessimistically, within a likelihood ball around the
 * maximum-likelihood model, so the policy trains against the worst model the data still allows:
 *   θ_MLE ← fit(likelihood; D), from last iteration's θ_MLE                    (beforeFit + the fit)
 *   L₀ = L_holdout(θ_MLE),   Θ_ε = { θ : L_holdout(θ) ≤ (1 + ε)·L₀ }            (the ball)
 *   θ ← θ_MLE;  K times:
 *     θ ← θ − Adam_{λα}(∇_θ J(π; θ))                                            (the follower's step)
 *     if θ ∉ Θ_ε:  θ ← θ_MLE + t*(θ − θ_MLE),  t* = max{ t ∈ [0, 1] : L(θ_MLE + t(θ − θ_MLE)) ≤ (1 + ε)L₀ }
 *   π ← argmax_π J(π; θ)                                                         (the loop's improve)
 * with J(π; θ) = E_{o₀ ~ D}[ Σ_{t<H} γ^t r_t + γ^H V(o_H) ], the policy's imagined value in the
 * model θ: the same return the gradient optimiser climbs, differentiated here w.r.t. the model.
 *
 * Strength λ scales the follower's step size (α = λ·1e-3): how hard the model pushes against the
 * policy each step; the radius ε bounds how far it may go. λ = 0 leaves the MLE as it is.
 */
import * as tf from '@tensorflow/tfjs';
import { round } from '../metrics/stateGrid';
import { differentiablePolicy } from '../policies/gradientImprover';
import { imaginedReturns, sampleStartObservations } from '../policies/improver';
import type { Rng } from '../rng';
import { HeldOutLoss } from './heldOutLoss';
import type {
  LearningObjective,
  ObjectiveFigures,
  ObjectiveSetup,
  ObjectiveWorld,
} from './learningObjective';
import { VariableCheckpoint } from '../models/variableCheckpoint';

/**
 * K follower steps per iteration, at Adam step λ·1e-3 (each weight moves by up to ~1e-3 a step,
 * a few per cent of a typical weight over K steps: enough to reach the ball's edge, where the
 * projection takes over), and the bisections of the projection (t* to within 2⁻¹⁰ of the step).
 */
const FOLLOWER = { steps: 10, learningRate: 1e-3, bisections: 10 };
/** Rows the ball's held-out loss is measured on, at most (as the fit's own holdout figure). */
const BALL_ROWS = 2048;

interface Maximin {
  readonly valueDrop: number;
  readonly holdoutLossIncrease: number;
  readonly steps: number;
}

export class MaximinAdaptation implements LearningObjective {
  readonly kind = 'stackelberg' as const;
  /** ε: the ball's radius, as a relative increase of the held-out loss. */
  private readonly radius: number;
  /** λ: scales the follower's step size. */
  private readonly strength: number;
  private readonly rng: Rng;
  /** θ_MLE of the last fit, kept so the next fit starts from it and not from the adapted copy. */
  private mle: VariableCheckpoint | null = null;
  private last: Maximin | null = null;

  constructor(setup: ObjectiveSetup) {
    this.radius = setup.config.objective.ballRadius;
    this.strength = setup.config.objective.strength;
    this.rng = setup.rng.fork('stackelberg-starts');
  }

  behaviour(): null {
    return null;
  }

  /** The MLE learns on from its own weights, not from the pessimistic model the policy last trained in. */
  beforeFit(): void {
    this.mle?.restore();
  }

  async adaptModel(world: ObjectiveWorld): Promise<void> {
    const { model } = world;
    const variables = model.variables;
    this.mle?.dispose();
    const mle = await VariableCheckpoint.of(variables);
    this.mle = mle;
    const ball = new HeldOutLoss(model, world.buffer, BALL_ROWS);
    // The same start states for every evaluation of J, and every member runs each of them
    // ('all'): no random draws, so J(θ_MLE) and J(θ_adapted) are measured on equal terms.
    const starts = sampleStartObservations(world.buffer, world.imagination.rollouts, this.rng);
    const value = () => imaginedValue(world, starts, this.rng);
    const optimizer = tf.train.adam(this.strength * FOLLOWER.learningRate);
    try {
      const initialLoss = await ball.evaluate();
      // L(θ) ≤ (1 + ε)·L₀
      const bound = (1 + this.radius) * initialLoss;
      const steps = this.strength > 0 && Number.isFinite(initialLoss) ? FOLLOWER.steps : 0;
      let mleValue = Number.NaN;
      let loss = initialLoss;
      let taken = 0;
      for (let k = 0; k < steps; k++) {
        const { value: j, grads } = tf.variableGrads(value, variables);
        const current = (await j.data())[0];
        if (k === 0) mleValue = current;
        if (!Number.isFinite(current)) {
          // A step that broke the model's rollouts is undone with all the others.
          tf.dispose([j, ...Object.values(grads)]);
          mle.restore();
          loss = initialLoss;
          break;
        }
        // θ ← θ − Adam(∇_θ J): the follower lowers the leader's value.
        optimizer.applyGradients(
          variables
            .filter((v) => v.name in grads)
            .map((v) => ({ name: v.name, tensor: grads[v.name] })),
        );
        tf.dispose([j, ...Object.values(grads)]);
        loss = await projectIntoBall(variables, mle, ball, bound, initialLoss);
        taken++;
      }
      const adapted = value();
      const adaptedValue = (await adapted.data())[0];
      adapted.dispose();
      if (taken === 0) mleValue = adaptedValue;
      this.last = {
        valueDrop: mleValue - adaptedValue,
        holdoutLossIncrease: loss / initialLoss - 1,
        steps: taken,
      };
    } finally {
      ball.dispose();
      starts.dispose();
      optimizer.dispose();
    }
  }

  policyReward(): null {
    return null;
  }

  afterImprove(): Promise<void> {
    return Promise.resolve();
  }

  figures(): Promise<ObjectiveFigures> {
    const last = this.last;
    const finite = (x: number) => (Number.isFinite(x) ? round(x) : null);
    return Promise.resolve({
      report: {
        kind: 'stackelberg',
        maximin:
          last === null
            ? null
            : {
                valueDrop: finite(last.valueDrop),
                holdoutLossIncrease: finite(last.holdoutLossIncrease),
                steps: last.steps,
              },
      },
      adversaryTrajectory: [],
    });
  }

  dispose(): void {
    this.mle?.dispose();
    this.mle = null;
  }
}

/**
 * If the step left the ball, back along the segment from θ_MLE (t = 0, inside: L = L₀) to the
 * stepped θ (t = 1, outside), bisecting on t for the farthest point found inside. Returns L(θ).
 */
async function projectIntoBall(
  variables: readonly tf.Variable[],
  mle: VariableCheckpoint,
  ball: HeldOutLoss,
  bound: number,
  mleLoss: number,
): Promise<number> {
  const loss = await ball.evaluate();
  if (loss <= bound) return loss;
  const stepped = await VariableCheckpoint.of(variables);
  try {
    let inside = 0;
    let insideLoss = mleLoss;
    let outside = 1;
    for (let i = 0; i < FOLLOWER.bisections; i++) {
      const t = (inside + outside) / 2;
      mle.interpolate(stepped, t);
      const trial = await ball.evaluate();
      if (trial <= bound) {
        inside = t;
        insideLoss = trial;
      } else {
        outside = t;
      }
    }
    mle.interpolate(stepped, inside);
    return insideLoss;
  } finally {
    stepped.dispose();
  }
}

/**
 * J(π; θ) = the mean over starts and members of the imagined return (improver.ts's
 * imaginedReturns), with the deterministic differentiable policy: differentiable in the model's
 * variables.
 */
function imaginedValue(world: ObjectiveWorld, starts: tf.Tensor2D, rng: Rng): tf.Scalar {
  const { model, critic, policy, imagination: settings } = world;
  const H = settings.horizon;
  return tf.tidy(() => {
    const rollout = model.rollout(starts, differentiablePolicy(policy), H, {
      member: 'all',
      reward: settings.reward,
      rng,
    });
    return tf.mean(
      imaginedReturns(rollout, rollout.rewards, critic, settings.discount),
    ) as tf.Scalar;
  });
}
