import { describe, expect, it } from 'vitest';
import { ENV_IDS, getEnv } from '../../src/envs';
import type { BatchedEnv } from '../../src/envs/types';
import { createRng } from '../../src/rng';
import { randomAction, randomState } from './fixtures';

const BATCH = 96;

function envOutputs(env: BatchedEnv, i: number) {
  return {
    nextState: env.states.map((component) => component[i]),
    nextObservation: env.observations.map((component) => component[i]),
    reward: env.rewards[i],
    terminated: env.terminated[i] === 1,
  };
}

describe.each(ENV_IDS)('%s batched step', (envId) => {
  const definition = getEnv(envId);

  it('gives every env exactly what stepFromState gives it, over several chained steps', () => {
    const rng = createRng(11).fork(envId);
    const env = definition.createBatch(BATCH);
    const starts = Array.from({ length: BATCH }, () => randomState(envId, rng));
    starts.forEach(({ state, dtype }, i) => env.setState(i, state, dtype));
    const chained = starts.map(({ state, dtype }) => ({ state, dtype }));
    // CartPole alone remembers a termination (Gymnasium's steps_beyond_terminated): stepping on
    // earns 0, which a fresh stepFromState cannot know.
    const terminatedBefore = new Array<boolean>(BATCH).fill(false);

    for (let step = 0; step < 4; step++) {
      const actions = Float64Array.from({ length: BATCH }, () =>
        randomAction(definition.spec, rng),
      );
      env.step(actions);
      for (let i = 0; i < BATCH; i++) {
        const single = definition.stepFromState(chained[i].state, actions[i], {
          stateDtype: chained[i].dtype,
        });
        const { nextStateDtype, ...comparable } = single;
        const steppedPastTermination = envId === 'CartPole-v1' && terminatedBefore[i];
        if (steppedPastTermination && single.terminated) comparable.reward = 0;
        // toEqual compares numbers with Object.is: bit-identical, down to the sign of zero.
        expect(envOutputs(env, i), `env ${i}, step ${step}`).toEqual(comparable);
        terminatedBefore[i] ||= single.terminated;
        chained[i] = { state: single.nextState, dtype: nextStateDtype };
      }
    }
  });

  it('does not mix up envs: stepping a batch equals stepping each env in its own batch', () => {
    const rng = createRng(12).fork(envId);
    const env = definition.createBatch(BATCH);
    const singles = Array.from({ length: BATCH }, () => definition.createBatch(1));
    for (let i = 0; i < BATCH; i++) {
      const { state, dtype } = randomState(envId, rng);
      env.setState(i, state, dtype);
      singles[i].setState(0, state, dtype);
    }
    const actions = Float64Array.from({ length: BATCH }, () => randomAction(definition.spec, rng));
    env.step(actions);
    singles.forEach((single, i) => {
      single.step(Float64Array.of(actions[i]));
      expect(envOutputs(env, i)).toEqual(envOutputs(single, 0));
    });
  });

  it('honours a state written straight into `states` (no stale cached values)', () => {
    const rng = createRng(13).fork(envId);
    const env = definition.createBatch(8);
    env.reset(rng);
    env.step(Float64Array.from({ length: 8 }, () => randomAction(definition.spec, rng)));
    const written = Array.from({ length: 8 }, () => randomState(envId, rng));
    written.forEach(({ state, dtype }, i) => {
      // Only float64 states can be written this way (dtype flags are set by setState).
      if (dtype === 'float64') state.forEach((value, k) => (env.states[k][i] = value));
      else env.setState(i, state, dtype);
    });
    const actions = Float64Array.from({ length: 8 }, () => randomAction(definition.spec, rng));
    env.step(actions);
    written.forEach(({ state, dtype }, i) => {
      const { nextStateDtype: _ignored, ...single } = definition.stepFromState(state, actions[i], {
        stateDtype: dtype,
      });
      expect(envOutputs(env, i)).toEqual(single);
    });
  });

  it('steps without replacing its arrays (callers may hold on to them)', () => {
    const env = definition.createBatch(4);
    env.reset(createRng(1));
    const before = [...env.states, ...env.observations, env.rewards, env.terminated, env.truncated];
    env.step(new Float64Array(4));
    const after = [...env.states, ...env.observations, env.rewards, env.terminated, env.truncated];
    after.forEach((array, k) => expect(array).toBe(before[k]));
  });

  it('observes like stepFromState reports observations', () => {
    const rng = createRng(14).fork(envId);
    for (let trial = 0; trial < 20; trial++) {
      const { state, dtype } = randomState(envId, rng);
      const next = definition.stepFromState(state, randomAction(definition.spec, rng), {
        stateDtype: dtype,
      });
      expect(definition.observe(next.nextState)).toEqual(next.nextObservation);
      expect(next.nextObservation.every((value) => Math.fround(value) === value)).toBe(true);
    }
  });
});
