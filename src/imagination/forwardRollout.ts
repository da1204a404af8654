/**
 * Forward-only imagined rollouts on the imagination engine, for what nothing differentiates: the
 * sim evaluation, the players' visits, the open-loop ghost. The model is folded for the call
 * (frozenEnsemble.ts), so a step is a handful of kernels whatever the member choice; a policy
 * network acts through its folded layers, greedily (the deterministic action), and any other
 * policy function acts as it is.
 */
import type * as tf from '@tensorflow/tfjs';
import type { Policy } from '../models/policy';
import type { WorldModel } from '../models/worldModel';
import { PolicyNetwork } from '../policies/policyNetwork';
import type { Rng } from '../rng';
import { FrozenEnsemble } from './frozenEnsemble';
import type { MemberChoice } from './memberChoice';
import { PolicyFolder, type DifferentiablePolicy } from './policyStep';
import { functionPolicy, imagine, type ImaginedRollout } from './rollout';

export interface ForwardOptions {
  readonly member: MemberChoice;
  readonly reward?: 'known' | 'learned';
  /** Draws the random members; the model's own rollout stream if omitted. */
  readonly rng?: Rng;
}

/** The rollout of `actor` from starts [B, d]; the caller disposes it. */
export async function imagineForward(
  model: WorldModel,
  startObservations: tf.Tensor2D,
  actor: Policy | PolicyNetwork,
  horizon: number,
  options: ForwardOptions,
): Promise<ImaginedRollout> {
  const space = model.spec.actionSpace;
  const network = actor instanceof PolicyNetwork ? actor : null;
  const ensemble = await FrozenEnsemble.fromModel(model, {
    reward: options.reward ?? 'known',
    actionInput: network !== null && space.kind === 'box' ? 'squashed' : 'env',
  });
  let folder: PolicyFolder | null = null;
  let greedy: DifferentiablePolicy | null = null;
  try {
    folder = network === null ? null : new PolicyFolder(network, ensemble.columns);
    greedy = folder?.fold(true) ?? null;
    const policy = greedy ?? functionPolicy(actor as Policy, space, model.observationDim);
    return imagine(ensemble, model.knownReward, startObservations, policy, {
      horizon,
      member: options.member,
      rng: options.rng ?? model.rolloutRng,
    });
  } finally {
    greedy?.dispose();
    folder?.dispose();
    ensemble.dispose();
  }
}
