/**
 * A model-learning objective as the loop sees it: the hooks where the papers differ from plain
 * maximum likelihood, in the order an iteration calls them. Every objective shares the ensemble,
 * the buffer and the real-data budget of `mse`, so the comparison is fair; what differs is who
 * collects part of the data, what the model minimises, what happens to the model before the
 * policy trains in it, and what the policy is rewarded for in imagination. Every hook is
 * optional: an objective writes only where it differs from maximum likelihood, and `mse` writes
 * none.
 *
 *   collect       behaviour(world)         the adversary may collect a share (active selection)
 *   (before fit)  beforeFit(world)         Stackelberg puts the MLE's weights back for the fit
 *   fit           modelLoss(world)         the model's loss this iteration (weights, extra terms);
 *                                          the likelihood if absent
 *   (after fit)   adaptModel(world)        Stackelberg moves the model against the policy
 *   improve       policyReward()           MnM adds its classifier bonus to imagined rewards
 *   (after)       afterImprove(world)      the adversary plays its Error-MDP in the new model
 *   evaluate      figures(world, starts)   what the objective reports, measured in the real env
 */
import type { ExperimentConfig } from '../config/schema';
import type { StepActor } from '../data/collect';
import type { ReplayBuffer } from '../data/replayBuffer';
import type { BatchedEnv, EnvDefinition, PhysicalParams } from '../envs/types';
import type { ModelObjective } from '../models/objective';
import type { WorldModel } from '../models/worldModel';
import type { Critic } from '../policies/critic';
import type { ImaginedReward } from '../imagination/rewardTerm';
import type { ImaginationSettings } from '../policies/improver';
import type { StartState } from '../policies/oracle';
import type { PolicyNetwork } from '../policies/policyNetwork';
import type { ObjectiveReport } from '../report';
import type { Rng } from '../rng';

/** What the loop owns and lends to the objective at each hook. */
export interface ObjectiveWorld {
  readonly definition: EnvDefinition;
  readonly realParams: PhysicalParams;
  readonly realEnv: BatchedEnv;
  readonly model: WorldModel;
  readonly policy: PolicyNetwork;
  readonly critic: Critic;
  readonly buffer: ReplayBuffer;
  readonly imagination: ImaginationSettings;
  readonly iteration: number;
}

/** Who collects how many of this iteration's real steps besides the policy. */
export interface BehaviourShare {
  readonly steps: number;
  readonly act: StepActor;
}

export interface LearningObjective {
  readonly kind: ExperimentConfig['objective']['kind'];
  behaviour?(world: ObjectiveWorld, budget: number): BehaviourShare | null;
  /** Where the fit starts from, set before it; no hook leaves the model as it is. */
  beforeFit?(world: ObjectiveWorld): void;
  /** Free of side effects: the loss the fit minimises. */
  modelLoss?(world: ObjectiveWorld): Promise<ModelObjective>;
  adaptModel?(world: ObjectiveWorld): Promise<void>;
  policyReward?(): ImaginedReward | null;
  afterImprove?(world: ObjectiveWorld): Promise<void>;
  figures?(
    world: ObjectiveWorld,
    evaluationStarts: readonly StartState[],
    episodeLength: number,
  ): Promise<ObjectiveFigures>;
  dispose?(): void;
}

export interface ObjectiveFigures {
  readonly report: ObjectiveReport;
  /** The adversary's first real evaluation episode, projected for the state-space map ([] if none). */
  readonly adversaryTrajectory: [number, number][];
}

/** Seeds an objective's own streams from the run's root, so objectives never disturb the others'. */
export interface ObjectiveSetup {
  readonly config: ExperimentConfig;
  readonly definition: EnvDefinition;
  /** Input normalisation shared by every network of the run (the uniform box's moments). */
  readonly inputMean: Float32Array;
  readonly inputScale: Float32Array;
  readonly rng: Rng;
}
