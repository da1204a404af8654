/**
 * `mnm`: "Mismatched No More" (Eysenbach et al. 2022). Model and policy maximise one lower bound
 * on the real return,
 *   J(π, q) = E_{q, π} [ Σ_t γ^t ( r(s_t, a_t) + log p(s_{t+1}|s_t, a_t) − log q(s_{t+1}|s_t, a_t) ) ],
 * where the log density ratio of the world p and the model q is read off a classifier C that
 * tells real transitions from the model's (transitionClassifier.ts): log p/q ≈ logit C. Each
 * iteration:
 *   q ← argmin_q  ℓ_likelihood(q; D) + λ · mean_D[ −log C(s, a, ŝ'_q) ]         (the loop's fit, C frozen)
 *   C ← argmin BCE(real (s, a, s') from D → 1, (s, a, ŝ' ~ q(·|s, a)) → 0)      (adaptModel)
 *   π ← argmax_π  E_q [ Σ_t γ^t ( r_t + clip(logit C(s_t, a_t, s_{t+1}), −c, c) ) ]  (the loop's improve)
 * The model learns to make transitions the classifier takes for real (only the model's variables
 * get gradients); the policy learns to stay where the model's transitions look real, which is
 * where the model is right. The likelihood term keeps the model a model of the data while the
 * adversarial term moves it (the paper's model maximises the bound alone).
 *
 * C learns after the fit, against the model the policy is about to train in: the bonus judges that
 * model's transitions, the accuracy reported is that model's, and the next fit plays against it.
 * Trained before the fit instead, the first fit chases a classifier that has only learnt that an
 * untrained model predicts no change. Measured on the exploit preset (seed 0), the model then
 * overshot within 25 steps to transitions the classifier called realer than the real ones (mean
 * logit −6 → +5, up to +13) and the policy's closed-loop sim return diverged (−3·10⁷); trained
 * after the fit, seeds 0–2 stay within the range of mse's sim returns. The first fit is plain
 * likelihood: there is no classifier yet.
 */
import * as tf from '@tensorflow/tfjs';
import type { ReplayBuffer, Split } from '../data/replayBuffer';
import type { ActionSpace } from '../envs/types';
import { actionFeatureDim, encodeActions } from '../models/actions';
import { logVarBoundPenalty, rowLosses, rowLossGradients } from '../models/likelihood';
import { likelihoodObjective, type ModelObjective } from '../models/objective';
import type { WorldModel } from '../models/worldModel';
import { round } from '../metrics/stateGrid';
import { backwardStack, disposeStack, forwardStack } from '../imagination/denseStack';
import { featureGradient, modelReward, transitionRows, type ImaginedReward, type RewardGradients } from '../imagination/rewardTerm';
import { tidyKeeping } from '../models/tidy';
import type { Rng } from '../rng';
import type {
  LearningObjective,
  ObjectiveFigures,
  ObjectiveSetup,
  ObjectiveWorld,
} from './learningObjective';
import { realRows, TransitionClassifier, type ClassifierRows } from './transitionClassifier';

/**
 * The classifier's size and schedule: small next to the model, trained for a few hundred steps
 * per iteration, warm-started from the last iteration (the model it must tell apart moves a
 * little each iteration, so it need not relearn the world).
 */
const CLASSIFIER = { width: 64, depth: 2, learningRate: 1e-3, steps: 200, batchSize: 128 };
/** Rows of the training split the classifier learns from per iteration, at most (a random subset). */
const MAX_TRAIN_ROWS = 4096;
/** Rows of the holdout split its accuracy is measured on, at most (evenly spaced). */
const MAX_HOLDOUT_ROWS = 2048;
/**
 * c, the clip on the policy's bonus: |logit C| ≤ 5, i.e. C within [0.7 %, 99.3 %]. The classifier
 * learns from a few hundred to a few thousand rows per class, so a probability finer than about
 * 1/150 says how confident the network has become, not a density ratio it has measured: past it
 * the logit would grow with training, not with the model's error. And a bonus of at most 5 per
 * step is the size of one step's reward where rewards are large (Pendulum's run from 0 to −16),
 * so the bonus steers the policy off transitions the model gets wrong without replacing the task.
 */
const BONUS_CLIP = 5;

export class MismatchedNoMore implements LearningObjective {
  readonly kind = 'mnm' as const;
  private readonly classifier: TransitionClassifier;
  /** λ: the weight of the classifier term in the model's loss. */
  private readonly strength: number;
  private readonly actionSpace: ActionSpace;
  private readonly rng: Record<'rows' | 'members' | 'minibatch', Rng>;
  private accuracy: number | null = null;

  constructor(setup: ObjectiveSetup) {
    const spec = setup.definition.spec;
    this.actionSpace = spec.actionSpace;
    this.strength = setup.config.objective.strength;
    this.classifier = new TransitionClassifier(
      {
        observationDim: spec.observationNames.length,
        actionSpace: spec.actionSpace,
        width: CLASSIFIER.width,
        depth: CLASSIFIER.depth,
        inputMean: setup.inputMean,
        inputScale: setup.inputScale,
      },
      CLASSIFIER.learningRate,
      setup.rng.fork('mnm-classifier'),
    );
    this.rng = {
      rows: setup.rng.fork('mnm-rows'),
      members: setup.rng.fork('mnm-members'),
      minibatch: setup.rng.fork('mnm-minibatch'),
    };
  }

  behaviour(): null {
    return null;
  }

  /** q's loss, against the classifier trained after the last fit (plain likelihood before any). */
  modelLoss(_world: ObjectiveWorld): Promise<ModelObjective> {
    return Promise.resolve(this.classifier.ready ? this.foolTheClassifier() : likelihoodObjective);
  }

  /** Trains C against the model just fitted, and measures it on held-out rows. */
  async adaptModel(world: ObjectiveWorld): Promise<void> {
    const train = await this.realAndModelRows(world.model, world.buffer, 'train', MAX_TRAIN_ROWS);
    if (train !== null) {
      await this.classifier.train(
        train.real,
        train.model,
        CLASSIFIER.steps,
        CLASSIFIER.batchSize,
        this.rng.minibatch,
      );
    }
    // Balanced by construction: every held-out real row is judged against its own model twin.
    const holdout = await this.realAndModelRows(
      world.model,
      world.buffer,
      'holdout',
      MAX_HOLDOUT_ROWS,
    );
    this.accuracy =
      holdout === null || !this.classifier.ready
        ? null
        : await this.classifier.accuracy(holdout.real, holdout.model);
  }

  /** r_t + clip(logit C(o_t, a_t, o_{t+1}), −c, c): the classifier's bonus (classifierBonus below). */
  policyReward(): ImaginedReward | null {
    return this.classifier.ready ? classifierBonus(this.classifier, this.actionSpace) : null;
  }

  afterImprove(): Promise<void> {
    return Promise.resolve();
  }

  figures(): Promise<ObjectiveFigures> {
    return Promise.resolve({
      report: {
        kind: 'mnm',
        classifierAccuracy:
          this.accuracy === null || !Number.isFinite(this.accuracy) ? null : round(this.accuracy),
      },
      adversaryTrajectory: [],
    });
  }

  dispose(): void {
    this.classifier.dispose();
  }

  /**
   * The model's loss for member m on its minibatch:
   *   ℓ_m = ℓ_likelihood,m + λ · mean_rows[ −log C(s, a, s + Δ̂_m(s, a)) ],   −log C = softplus(−logit C)
   * with Δ̂_m the member's differentiable mean, both brought back to real units from the fit's
   * normalisation: s = x·σ_in + μ_in (and the action features likewise), Δ̂ = μ̂·σ_Δ + μ_Δ.
   */
  private foolTheClassifier(): ModelObjective {
    const { classifier, strength } = this;
    const d = classifier.shape.observationDim;
    const f = actionFeatureDim(classifier.shape.actionSpace);
    return {
      name: 'mnm',
      loss(batch, context) {
        const prediction = context.forward(batch.inputs);
        const likelihood = tf.add(
          tf.mean(rowLosses(prediction, batch.targets), 1),
          logVarBoundPenalty(context.parameters),
        );
        if (strength === 0) return likelihood as tf.Tensor1D;
        const [E, b] = batch.inputs.shape;
        const { inputMean, inputStd, targetMean, targetStd } = context.stats;
        const column = (values: Float64Array, count: number) =>
          Float32Array.from(values.subarray(0, count));
        // x = x̃·σ_in + μ_in: the observation and the action features in real units.
        const x = tf.add(tf.mul(batch.inputs, column(inputStd, d + f)), column(inputMean, d + f));
        const flat = (t: tf.Tensor, from: number, count: number) =>
          tf.reshape(tf.slice(t, [0, 0, from], [E, b, count]), [E * b, count]) as tf.Tensor2D;
        const observations = flat(x, 0, d);
        const features = flat(x, d, f);
        // Δ̂ = μ̂·σ_Δ + μ_Δ: the member's predicted change, differentiable in its parameters.
        const deltas = tf.add(
          tf.mul(flat(prediction.mean, 0, d), column(targetStd, d)),
          column(targetMean, d),
        ) as tf.Tensor2D;
        const logits = tf.reshape(classifier.logit(observations, features, deltas), [E, b]);
        // mean_rows −log C = mean_rows softplus(−logit C), per member
        const fool = tf.mean(tf.softplus(tf.neg(logits)), 1);
        return tf.add(likelihood, tf.mul(fool, strength)) as tf.Tensor1D;
      },
      // ∂/∂μ̂[:, :d] of λ·mean_rows softplus(−logit C(s, a, Δ̂)) = −λ/b·σ(−logit)·(∂logit/∂Δ̂)·σ_Δ
      gradient(batch, prediction, context) {
        const likelihood = rowLossGradients(prediction, batch.targets, () => null);
        if (strength === 0) return likelihood;
        const stack = classifier.foldedStack();
        try {
          return tidyKeeping(() => {
            const { inputMean, inputStd, targetMean, targetStd } = context.stats;
            const column = (values: Float64Array, from: number, count: number) =>
              Float32Array.from(values.subarray(from, from + count));
            const mean = likelihood.mean.map((dMean, m) => {
              const [b, D] = dMean.shape;
              // s and the action features in real units, x = x̃·σ_in + μ_in; Δ̂ = μ̂·σ_Δ + μ_Δ.
              const x = tf.add(tf.mul(batch.inputs[m], column(inputStd, 0, d + f)), column(inputMean, 0, d + f));
              const mu = prediction.mean[m];
              const deltas = tf.add(tf.mul(tf.slice(mu, [0, 0], [b, d]), column(targetStd, 0, d)), column(targetMean, 0, d));
              const trace = forwardStack(stack, tf.concat([x, deltas], 1) as tf.Tensor2D);
              const dLogit = tf.mul(tf.sigmoid(tf.neg(trace.output)), -strength / b) as tf.Tensor2D;
              const dx = backwardStack(stack, trace, dLogit).dx as tf.Tensor2D;
              const dMu = tf.mul(tf.slice(dx, [0, d + f], [b, d]), column(targetStd, 0, d));
              const padded = D > d ? tf.concat([dMu, tf.zeros([b, D - d])], 1) : dMu;
              return tf.add(dMean, padded) as tf.Tensor2D;
            });
            return { mean, logVar: likelihood.logVar };
          });
        } finally {
          disposeStack(stack);
          // The log-variance's gradients pass through to the result.
          tf.dispose(likelihood.mean);
        }
      },
    };
  }

  /**
   * Up to `maxRows` real rows of a split, and their model twins: the same (s, a), with s' from
   * one member drawn at random per row, at its mean (the transitions the model's rollouts make,
   * and what the loss and the bonus judge). Null if the split is empty.
   */
  private async realAndModelRows(
    model: WorldModel,
    buffer: ReplayBuffer,
    split: Split,
    maxRows: number,
  ): Promise<{ real: ClassifierRows; model: ClassifierRows } | null> {
    const all = buffer.slots(split);
    if (all.length === 0) return null;
    const slots =
      split === 'train' ? randomSubset(all, maxRows, this.rng.rows) : evenlySpaced(all, maxRows);
    const batch = buffer.gather(slots);
    const real = realRows(batch, this.actionSpace);
    const n = batch.count;
    const d = buffer.observationDim;
    const E = model.config.members;
    const pick = new Float32Array(E * n);
    for (let i = 0; i < n; i++) pick[this.rng.members.int(E) * n + i] = 1;
    const deltas = tf.tidy(() => {
      const observations = tf.tensor2d(batch.observations, [n, d]);
      const prediction = model.predict(observations, tf.tensor2d(batch.actions, [n, 1]));
      const chosen = tf.sum(tf.mul(prediction.nextObservations, tf.tensor3d(pick, [E, n, 1])), 0);
      return tf.sub(chosen, observations);
    });
    const modelDeltas = (await deltas.data()) as Float32Array;
    deltas.dispose();
    return { real, model: { ...real, deltas: modelDeltas } };
  }
}

function randomSubset(slots: Int32Array, count: number, rng: Rng): Int32Array {
  if (slots.length <= count) return slots;
  const pool = slots.slice();
  // A partial Fisher–Yates: the first `count` places end up a uniform sample without replacement.
  for (let i = 0; i < count; i++) {
    const j = i + rng.int(pool.length - i);
    const swap = pool[i];
    pool[i] = pool[j];
    pool[j] = swap;
  }
  return pool.subarray(0, count);
}

function evenlySpaced(slots: Int32Array, count: number): Int32Array {
  if (slots.length <= count) return slots;
  return Int32Array.from(
    { length: count },
    (_, i) => slots[Math.floor((i * slots.length) / count)],
  );
}

/**
 * MnM's imagined reward: r_t + clip(logit C(o_t, a_t, o_{t+1}), −c, c) on the rollout's own transitions, zero after
 * termination; its gradient, with Δ = o_{t+1} − o_t:
 *   ∂bonus/∂o_t = ∂logit/∂s − ∂logit/∂Δ,   ∂bonus/∂o_{t+1} = ∂logit/∂Δ   (0 past the clip)
 */
export function classifierBonus(classifier: TransitionClassifier, actionSpace: ActionSpace): ImaginedReward {
  const d = classifier.shape.observationDim;
  const f = actionFeatureDim(actionSpace);
  return (rollout, context) => {
    const model = modelReward(rollout, context);
    const stack = classifier.foldedStack();
    const rows = transitionRows(rollout);
    const input = tf.tidy(() => tf.concat([rows.before, encodeActions(rows.actions, actionSpace), tf.sub(rows.after, rows.before)], 1) as tf.Tensor2D);
    const trace = forwardStack(stack, input);
    // log p/q ≈ logit C, clipped to ±c (its gradient is zero past the clip).
    const rewards = tf.tidy(() =>
      tf.add(model.rewards, tf.mul(tf.clipByValue(tf.reshape(trace.output, rollout.alive.shape), -BONUS_CLIP, BONUS_CLIP), rollout.alive)) as tf.Tensor2D,
    );
    return {
      rewards,
      backward: (dRewards) =>
        tidyKeeping((): RewardGradients => {
          const fromModel = model.backward(dRewards);
          const inside = tf.cast(tf.lessEqual(tf.abs(trace.output), BONUS_CLIP), 'float32');
          const dLogit = tf.mul(tf.reshape(tf.mul(dRewards, rollout.alive), [-1, 1]), inside) as tf.Tensor2D;
          const dx = backwardStack(stack, trace, dLogit).dx as tf.Tensor2D;
          const dS = tf.slice(dx, [0, 0], [-1, d]);
          const dA = tf.slice(dx, [0, d], [-1, f]) as tf.Tensor2D;
          const dDelta = tf.slice(dx, [0, d + f], [-1, d]) as tf.Tensor2D;
          const sum = (a: tf.Tensor2D | null, b: tf.Tensor2D) => (a === null ? b : (tf.add(a, b) as tf.Tensor2D));
          return {
            before: sum(fromModel.before, tf.sub(dS, dDelta) as tf.Tensor2D),
            features: sum(fromModel.features, featureGradient(dA, actionSpace)),
            after: sum(fromModel.after, dDelta),
            learnedReward: fromModel.learnedReward,
          };
        }),
      dispose: () => {
        tf.dispose([rows.before, rows.actions, rows.after, input, rewards, ...trace.inputs.slice(1), trace.output]);
        disposeStack(stack);
        model.dispose();
      },
    };
  };
}
