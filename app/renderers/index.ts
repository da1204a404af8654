import type { EnvId } from '../../src/envs/types';
import { renderAcrobot } from './acrobot';
import { renderCartPole } from './cartPole';
import { renderMountainCar } from './mountainCar';
import { renderPendulum } from './pendulum';
import type { EnvRenderer } from './scene';

export type { EnvRenderer, Scene } from './scene';

const RENDERERS: Readonly<Record<EnvId, EnvRenderer>> = {
  'Pendulum-v1': renderPendulum,
  'MountainCarContinuous-v0': renderMountainCar,
  'CartPole-v1': renderCartPole,
  'Acrobot-v1': renderAcrobot,
  'MountainCar-v0': renderMountainCar,
};

export function rendererFor(envId: EnvId): EnvRenderer {
  return RENDERERS[envId];
}
