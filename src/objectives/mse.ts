/**
 * `mse`: the baseline the objective mismatch is about. The model maximises the likelihood of
 * every real transition alike (MSE on normalised deltas and reward, or Gaussian NLL), whoever
 * will use it and wherever; the policy collects all the data and trains in the model as fitted.
 */
import { likelihoodObjective } from '../models/objective';
import type { LearningObjective } from './learningObjective';

export function maximumLikelihood(): LearningObjective {
  return {
    kind: 'mse',
    behaviour: () => null,
    modelLoss: () => Promise.resolve(likelihoodObjective),
    adaptModel: () => Promise.resolve(),
    policyReward: () => null,
    afterImprove: () => Promise.resolve(),
    figures: () =>
      Promise.resolve({
        report: { kind: 'mse', adversary: null, classifierAccuracy: null, maximin: null },
        adversaryTrajectory: [],
      }),
    dispose: () => undefined,
  };
}
