/**
 * `mse`: the baseline the objective mismatch is about. The model maximises the likelihood of
 * every real transition alike (MSE on normalised deltas and reward, or Gaussian NLL:
 * `likelihoodObjective` in src/models/objective.ts, the fit's own default), whoever will use it
 * and wherever; the policy collects all the data and trains in the model as fitted. It has no
 * hook of its own: every hook of LearningObjective defaults to exactly this.
 */
import type { LearningObjective } from './learningObjective';

export function maximumLikelihood(): LearningObjective {
  return { kind: 'mse' };
}
