/** The objective a config names, built with its own RNG streams. */
import type { LearningObjective, ObjectiveSetup } from './learningObjective';
import { maximumLikelihood } from './mse';

export type { LearningObjective, ObjectiveSetup, ObjectiveWorld, BehaviourShare, ObjectiveFigures } from './learningObjective';

export function createObjective(setup: ObjectiveSetup): LearningObjective {
  const kind = setup.config.objective.kind;
  switch (kind) {
    case 'mse':
      return maximumLikelihood();
    case 'policyAware':
    case 'mnm':
    case 'stackelberg':
      throw new Error(`objective "${kind}" is not available in the loop yet: choose "mse"`);
  }
}
