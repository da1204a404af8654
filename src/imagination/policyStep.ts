/**
 * The policy network inside a differentiable rollout: the action features the model reads, and
 * the backward pass from their gradient to the state's. Box actions enter as the squashed
 * s = σ(2μ(o)) ∈ (0, 1), a = low + (high − low)·s (the model folds the affine map into its first
 * layer); discrete actions as the softmax over the logits, a relaxed one-hot. Each step's layer
 * gradients are kept, and summed over the steps at the end with one matMul per layer.
 */
import * as tf from '@tensorflow/tfjs';
import { matMul } from './kernels';
import type { PolicyNetwork } from '../policies/policyNetwork';
import {
  backwardStack,
  disposeStack,
  forwardStack,
  weightGradients,
  type DenseStack,
  type StackTrace,
} from './denseStack';
import type { EnsembleColumns } from './frozenEnsemble';
import type { StepPolicy } from './rollout';
import { TanhFolder } from './tanhFold';
import { tidyKeeping } from '../models/tidy';

export interface PolicyTrace {
  readonly stack: StackTrace;
  /** Discrete: the softmax of the logits (the features). */
  readonly probabilities: tf.Tensor2D | null;
}

/** Folds a policy network for the engine; `fold()` once per optimiser step (the weights move). */
export class PolicyFolder {
  private readonly folder: TanhFolder;

  constructor(
    private readonly network: PolicyNetwork,
    private readonly columns: EnsembleColumns,
  ) {
    this.folder = new TanhFolder(tanhNetwork(network), {
      output: network.shape.actionSpace.kind === 'box' ? 'squash' : 'linear',
      inputColumns: columns.state,
    });
  }

  /**
   * The policy as it is now. `greedy`: discrete actions as the one-hot of the arg-max (the
   * deterministic action the evaluation takes), not the softmax; box actions are the squashed
   * mean either way. A greedy policy only acts: it has no backward pass.
   */
  fold(greedy = false): DifferentiablePolicy {
    return new DifferentiablePolicy(
      this.network,
      this.folder,
      this.folder.fold(tanhNetwork(this.network)),
      this.columns,
      greedy,
    );
  }

  dispose(): void {
    this.folder.dispose();
  }
}

export class DifferentiablePolicy implements StepPolicy<PolicyTrace> {
  /** W₀ᵀ on the model's input columns [W, input]: the state's gradient comes out in input layout. */
  private readonly firstTransposed: tf.Tensor2D;
  /** [input, f]: picks the feature columns of an input-layout gradient. */
  private readonly pickFeatures: tf.Tensor2D;
  private readonly inputs: tf.Tensor2D[][];
  private readonly dz: tf.Tensor2D[][];

  constructor(
    private readonly network: PolicyNetwork,
    private readonly folder: TanhFolder,
    readonly stack: DenseStack,
    private readonly columns: EnsembleColumns,
    private readonly greedy = false,
  ) {
    const { state, features, input } = columns;
    this.firstTransposed = tf.pad(stack.transposed[0], [
      [0, 0],
      [0, input - state],
    ]);
    const pick = new Float32Array(input * features);
    for (let k = 0; k < features; k++) pick[(state + k) * features + k] = 1;
    this.pickFeatures = tf.tensor2d(pick, [input, features]);
    this.inputs = stack.layers.map(() => []);
    this.dz = stack.layers.map(() => []);
  }

  act(
    state: tf.Tensor2D,
    keep: boolean,
  ): { features: tf.Tensor2D; action: null; trace: PolicyTrace | null } {
    type Step = { features: tf.Tensor2D; action: null; trace: PolicyTrace | null };
    const discrete = this.network.shape.actionSpace.kind === 'discrete';
    return tidyKeeping((): Step => {
      const trace = forwardStack(this.stack, state);
      if (discrete && this.greedy) {
        const n = trace.output.shape[1];
        return {
          features: tf.keep(tf.oneHot(tf.argMax(trace.output, 1), n).toFloat() as tf.Tensor2D),
          action: null,
          trace: null,
        };
      }
      const probabilities = discrete ? (tf.softmax(trace.output) as tf.Tensor2D) : null;
      const features = probabilities ?? trace.output;
      if (!keep) return { features: tf.keep(features), action: null, trace: null };
      return { features, action: null, trace: { stack: trace, probabilities } };
    });
  }

  envActions(features: tf.Tensor2D): tf.Tensor2D {
    const space = this.network.shape.actionSpace;
    if (space.kind === 'discrete') return features.clone();
    return tf.tidy(
      () => tf.add(tf.mul(features, space.high - space.low), space.low) as tf.Tensor2D,
    );
  }

  /**
   * dL/dstate [R, input] from dL/dX [R, input] of the step (its feature columns are read);
   * `derivatives`: the layers' act′ precomputed for the step (denseStack.ts's stackDerivatives).
   */
  backward(
    dInput: tf.Tensor2D,
    trace: PolicyTrace,
    derivatives: readonly (tf.Tensor2D | null)[] | null = null,
  ): tf.Tensor2D {
    if (this.greedy) throw new Error('DifferentiablePolicy: a greedy policy has no gradient');
    const { dState, dz } = tidyKeeping(() => {
      const dFeatures = matMul(dInput, this.pickFeatures);
      let dOutput = dFeatures as tf.Tensor2D;
      if (trace.probabilities !== null) {
        // softmax′: dz = p ⊙ (dp − Σ_j dp_j p_j)
        const p = trace.probabilities;
        dOutput = tf.mul(
          p,
          tf.sub(dFeatures, tf.sum(tf.mul(dFeatures, p), 1, true)),
        ) as tf.Tensor2D;
      }
      const { dz } = backwardStack(this.stack, trace.stack, dOutput, false, derivatives);
      return { dState: matMul(dz[0], this.firstTransposed), dz };
    });
    dz.forEach((layerDz, l) => {
      this.inputs[l].push(trace.stack.inputs[l]);
      // Kept past any enclosing tidy: summed over the steps by `gradients()`.
      this.dz[l].push(tf.keep(layerDz));
    });
    return dState;
  }

  /** ∂L/∂θ for the network's variables (in `variables` order), from the steps' backward passes. */
  gradients(): tf.Tensor[] {
    const folded = tidyKeeping(() =>
      this.stack.layers.map((_, l) => weightGradients(this.inputs[l], this.dz[l])),
    );
    const { weights, biases } = this.folder.unfoldGradients(folded);
    tf.dispose(folded.flatMap((g) => [g.weight, g.bias]));
    const grads: tf.Tensor[] = [...weights, ...biases];
    if (this.network.shape.actionSpace.kind === 'box')
      grads.push(tf.zerosLike(this.network.logStd));
    return grads;
  }

  /** Frees the folded weights and the recorded gradients (not the traces: the rollout owns those). */
  dispose(): void {
    disposeStack(this.stack);
    tf.dispose([this.firstTransposed, this.pickFeatures, ...this.dz.flat()]);
  }

  get stateColumns(): number {
    return this.columns.state;
  }
}

function tanhNetwork(network: PolicyNetwork) {
  return {
    weights: network.weights as unknown as tf.Tensor2D[],
    biases: network.biases as unknown as tf.Tensor1D[],
    inputMean: network.shape.inputMean,
    inputScale: network.shape.inputScale,
  };
}
