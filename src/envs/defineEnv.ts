/**
 * Builds an `EnvDefinition` from a batched implementation. The single-step function and the
 * observation run through a batch of one, so the code conformance checks is the code that trains.
 */
import type { BatchedEnvBase, StateDtype } from './batchedEnvBase';
import { resolveParams, type ParamRules } from './params';
import type { EnvDefinition, EnvSpec, PhysicalParams, SingleStep } from './types';

export function defineEnv(
  spec: EnvSpec,
  rules: ParamRules,
  createBatch: (size: number, params: PhysicalParams) => BatchedEnvBase,
): EnvDefinition {
  const batchOfOne = (
    state: ArrayLike<number>,
    stateDtype: StateDtype | undefined,
    params: Partial<PhysicalParams> | undefined,
  ): BatchedEnvBase => {
    const batch = createBatch(1, resolveParams(rules, params));
    batch.setState(0, state, stateDtype ?? 'float64');
    return batch;
  };

  return {
    spec,
    createBatch: (size, params) => createBatch(size, resolveParams(rules, params)),
    stepFromState(state, action, options): SingleStep {
      const batch = batchOfOne(state, options?.stateDtype, options?.params);
      // A typed array, like every other caller's, keeps the step loop's element reads monomorphic.
      batch.step(Float64Array.of(action));
      return {
        nextState: batch.states.map((component) => component[0]),
        nextStateDtype: batch.stateDtypeAt(0),
        nextObservation: batch.observations.map((component) => component[0]),
        reward: batch.rewards[0],
        terminated: batch.terminated[0] === 1,
      };
    },
    observe(state, params) {
      return batchOfOne(state, undefined, params).observations.map((component) => component[0]);
    },
  };
}
