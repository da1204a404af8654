/**
 * `mse`: the baseline the objective mismatch is about. The model maximises the likelihood of
 * every real transition alike (MSE on normalised deltas and reward, or Gaussian NLL:
 * `likelihoodObjective`, src/models/objective.ts), whoever will use it and wherever; the policy
 * collects all the data and trains in the model as fitted. Its one hook names that likelihood;
 * the others keep their defaults (the policy collects, nothing is rewritten or adapted).
 */
import { likelihoodObjective } from '../models/objective';
import type { LearningObjective } from './learningObjective';

export function maximumLikelihood(): LearningObjective {
  return { kind: 'mse', modelLoss: async () => likelihoodObjective };
}
