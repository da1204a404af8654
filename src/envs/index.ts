/**
 * The five classic-control environments by Gymnasium id.
 */
import { acrobot } from './acrobot';
import { cartPole } from './cartPole';
import { mountainCar } from './mountainCar';
import { mountainCarContinuous } from './mountainCarContinuous';
import { pendulum } from './pendulum';
import type { EnvDefinition, EnvId } from './types';

const definitions: Readonly<Record<EnvId, EnvDefinition>> = {
  'Pendulum-v1': pendulum,
  'MountainCarContinuous-v0': mountainCarContinuous,
  'CartPole-v1': cartPole,
  'Acrobot-v1': acrobot,
  'MountainCar-v0': mountainCar,
};

export const ENV_IDS: readonly EnvId[] = Object.freeze(Object.keys(definitions) as EnvId[]);

export function isEnvId(value: unknown): value is EnvId {
  return typeof value === 'string' && Object.hasOwn(definitions, value);
}

export function getEnv(id: EnvId): EnvDefinition {
  if (!isEnvId(id)) {
    throw new Error(`Unknown env id "${String(id)}" (known: ${ENV_IDS.join(', ')})`);
  }
  return definitions[id];
}

export type * from './types';
