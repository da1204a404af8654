/**
 * The policy's forward pass in plain JS, from a snapshot: acting one step in the real env is a
 * handful of tiny matrix-vector products, which cost less in JS than one round trip through tfjs.
 * It mirrors PolicyNetwork exactly (same normalisation, tanh hidden layers, squash), so the
 * policy judged in the real env is the one trained in imagination.
 */
import type { Rng } from '../rng';
import type { PolicySnapshot } from './policyNetwork';

export class JsPolicy {
  private readonly snapshot: PolicySnapshot;
  private readonly activations: Float64Array[];

  constructor(snapshot: PolicySnapshot) {
    this.snapshot = snapshot;
    const { shape } = snapshot;
    const sizes = [shape.observationDim, ...snapshot.biases.map((b) => b.length)];
    this.activations = sizes.map((size) => new Float64Array(size));
  }

  /** The pre-squash head (box) or logits (discrete) for one observation; the array is reused. */
  private forward(observation: ArrayLike<number>): Float64Array {
    const { shape, weights, biases } = this.snapshot;
    const input = this.activations[0];
    for (let i = 0; i < shape.observationDim; i++) {
      input[i] = (observation[i] - shape.inputMean[i]) / shape.inputScale[i];
    }
    const last = weights.length - 1;
    for (let layer = 0; layer <= last; layer++) {
      const from = this.activations[layer];
      const to = this.activations[layer + 1];
      const w = weights[layer];
      const b = biases[layer];
      const outSize = to.length;
      for (let j = 0; j < outSize; j++) to[j] = b[j];
      for (let i = 0; i < from.length; i++) {
        const x = from[i];
        const row = i * outSize;
        for (let j = 0; j < outSize; j++) to[j] += x * w[row + j];
      }
      if (layer < last) for (let j = 0; j < outSize; j++) to[j] = Math.tanh(to[j]);
    }
    return this.activations[last + 1];
  }

  /**
   * One action. `noiseStd` > 0 explores: Gaussian noise on the pre-squash value (box) or an
   * ε-greedy draw with ε = min(1, noiseStd) (discrete). With noiseStd = 0 it is deterministic.
   */
  act(observation: ArrayLike<number>, noiseStd = 0, rng?: Rng): number {
    const head = this.forward(observation);
    const space = this.snapshot.shape.actionSpace;
    if (space.kind === 'box') {
      const u = noiseStd > 0 && rng ? head[0] + noiseStd * rng.normal() : head[0];
      const half = (space.high - space.low) / 2;
      return space.low + half * (Math.tanh(u) + 1);
    }
    if (noiseStd > 0 && rng && rng.next() < Math.min(1, noiseStd)) return rng.int(space.n);
    let best = 0;
    for (let k = 1; k < space.n; k++) if (head[k] > head[best]) best = k;
    return best;
  }
}
