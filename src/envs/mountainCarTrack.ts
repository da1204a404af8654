/**
 * What both Mountain Cars share: the track's state and observation spaces (position, velocity,
 * float32 bounds as Gymnasium declares them) and the map's projection, which is the state itself.
 */
import type { EnvSpec } from './types';

const f32 = Math.fround;

export const mountainCarTrackSpace: Pick<
  EnvSpec,
  'stateNames' | 'observationNames' | 'observationLow' | 'observationHigh' | 'projection'
> = {
  stateNames: ['position', 'velocity'],
  observationNames: ['position', 'velocity'],
  observationLow: [f32(-1.2), f32(-0.07)],
  observationHigh: [f32(0.6), f32(0.07)],
  projection: {
    xLabel: 'x',
    yLabel: 'v',
    xRange: [-1.2, 0.6],
    yRange: [-0.07, 0.07],
    project: (observation) => [observation[0], observation[1]],
  },
};
