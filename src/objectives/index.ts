/** The objective a config names, built with its own RNG streams. */
import type { LearningObjective, ObjectiveSetup } from './learningObjective';
import { MismatchedNoMore } from './mnm';
import { maximumLikelihood } from './mse';
import { PolicyAwareGame } from './policyAware';
import { MaximinAdaptation } from './stackelberg';

export type { LearningObjective, ObjectiveSetup, ObjectiveWorld, BehaviourShare, ObjectiveFigures } from './learningObjective';

export function createObjective(setup: ObjectiveSetup): LearningObjective {
  const kind = setup.config.objective.kind;
  switch (kind) {
    case 'mse':
      return maximumLikelihood();
    case 'policyAware':
      return new PolicyAwareGame(setup);
    case 'mnm':
      return new MismatchedNoMore(setup);
    case 'stackelberg':
      return new MaximinAdaptation(setup);
  }
}
