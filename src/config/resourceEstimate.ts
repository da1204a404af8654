/**
 * How much memory a config will need at its peak, estimated before it starts, and the refusal of
 * a config that would not fit. The sliders allow every knob its own range, but their product can
 * ask for tens of gigabytes (16 384 rollouts × horizon 200 × 10 members of 4 × 512 units): such a
 * run would not fail with a message, it would take the tab (or the lab's process) down with it.
 *
 * The estimate follows what the code keeps alive, phase by phase (one iteration runs collect →
 * fit → improve → evaluate, so only one phase's working set exists at a time):
 *
 *   peak = persistent + max(fit, improve, evaluate)
 *   persistent: model parameters × (weights, AdamW's two moments); policy and critic ×
 *               (weights, Adam's moments, gradients); the replay buffer; the fixed evaluation
 *               data (uniform box, oracle transitions).
 *   fit:        one minibatch step (E × batch rows through every layer and back, fitStep.ts),
 *               the buffer's training split gathered into float64 rows, the split evaluation.
 *               The model's gradients here, and its folded inference copy in the other phases.
 *   improve:    gradient optimiser: the whole H-step rollout kept for backpropagation through
 *               time (src/imagination/ keeps each step's states, every layer's activations and
 *               act′, the member masks); REINFORCE: the rollout plus log π over all H·R rows;
 *               CEM-MPC: K evaluation episodes plan in lockstep, one rollout of K × population
 *               rows over the CEM horizon.
 *   evaluate:   the sim rollout of the evaluation episodes, and the model's one-step error on the
 *               uniform box, on-policy and oracle rows.
 *
 * It counts bytes of float32 tensors and of the typed arrays behind them, not the code, the tfjs
 * module or the allocator's slack; it is meant to be within a factor of two of the measured tensor
 * peak (test/config/resourceEstimate.test.ts compares it with tf.profile's peakBytes).
 */
import { getEnv } from '../envs/index';
import type { ExperimentConfig } from './schema';
import { CRITIC } from '../policies/criticShape';
import { valueGridBytes } from '../policies/gridOracle';

type Activation = ExperimentConfig['model']['activation'];

/**
 * The largest estimated peak a run may have. tfjs's WASM heap is a wasm32 memory (4 GiB at most,
 * the 4.22 binaries declare exactly that) that grows and never shrinks, and its allocator
 * fragments, so the heap a run needs is well above its live tensors; WebGL and WebGPU hold
 * textures and buffers in a GPU process with limits of their own; and the classroom laptops this
 * is for have 4–8 GB shared with the browser and the OS. An estimated 1.5 GiB keeps an estimate
 * that is off by up to 2× under the wasm32 ceiling, and every preset is far below it (the heavy
 * preset needs about 0.2 GiB, its peak while training the policy through 32 imagined steps).
 */
export const MEMORY_BUDGET_BYTES = 1.5 * 1024 ** 3;

const F32 = 4;
const F64 = 8;
/**
 * Float32 values held per hidden unit and row, measured with tf.profile on WASM (the forward pass
 * keeps about three: the fused kernel's input view, output and the next layer's input; silu is
 * not fused and keeps z and sigmoid(z) too).
 */
const FLOATS_PER_HIDDEN_UNIT: Record<Activation, { readonly forward: number }> = {
  relu: { forward: 3 },
  elu: { forward: 3 },
  sigmoid: { forward: 3 },
  tanh: { forward: 3 },
  silu: { forward: 5 },
};
/** The critic's hidden layers run matMul, add and tanh unfused: three values a unit. */
const CRITIC_FLOATS_PER_HIDDEN_UNIT = 3;
/**
 * A backward pass over a batch of rows (the critic's step, REINFORCE's log π) holds the forward
 * pass's values and their gradients at once: about twice the forward's bytes.
 */
const BACKWARD_FACTOR = 2;
/** The evaluation's fixed rows. */
const UNIFORM_ROWS = 2048;
const FIT_EVALUATION_ROWS = 2048;
/** oracle.ts's planning envs (CEM-MPC): a population of 200 over a horizon of 30. */
const ORACLE_POPULATION = 200;
const ORACLE_HORIZON = 30;

export type MemoryPhase = 'persistent' | 'fit' | 'improve' | 'evaluate';

export interface MemoryTerm {
  /** What is held, in words a user can act on. */
  readonly name: string;
  readonly phase: MemoryPhase;
  readonly bytes: number;
  /** The part of `bytes` held in tensors (what tf.memory() counts). */
  readonly tensorBytes: number;
  /** The config knobs (dotted paths) the term grows with. */
  readonly knobs: readonly string[];
}

export interface MemoryEstimate {
  /** persistent + the largest phase. */
  readonly peakBytes: number;
  /** The tensors' part of the largest phase, next to the persistent tensors. */
  readonly tensorPeakBytes: number;
  /** The phase that holds the most, next to the persistent terms. */
  readonly peakPhase: Exclude<MemoryPhase, 'persistent'>;
  /** Every term, largest first. */
  readonly terms: readonly MemoryTerm[];
}

/** A config refused for its estimated memory; `estimate` says where it goes. */
export class MemoryBudgetError extends Error {
  constructor(
    message: string,
    readonly estimate: MemoryEstimate,
    readonly budgetBytes: number,
  ) {
    super(message);
    this.name = 'MemoryBudgetError';
  }
}

export function estimateMemory(config: ExperimentConfig): MemoryEstimate {
  const spec = getEnv(config.env.id).spec;
  const d = spec.observationNames.length;
  const space = spec.actionSpace;
  /** Model input features of an action; also the columns of a relaxed discrete action. */
  const f = space.kind === 'box' ? 1 : space.n;
  const input = d + f;
  const output = d + 1;
  const m = config.model;
  const o = config.optimiser;
  const E = m.ensembleSize;
  const K = config.evaluation.episodes;
  const L = config.evaluation.episodeLength;
  const perUnit = FLOATS_PER_HIDDEN_UNIT[m.activation];
  const hidden = m.width * m.depth;
  /** Floats per member and row of a forward pass. */
  const forwardRow = input + perUnit.forward * hidden + 3 * output;
  const criticHidden = CRITIC.width * CRITIC.depth * CRITIC_FLOATS_PER_HIDDEN_UNIT;
  const MODEL = ['model.ensembleSize', 'model.width', 'model.depth'];
  const POLICY = ['optimiser.policyWidth', 'optimiser.policyDepth'];
  const IMAGINATION = ['imagination.rollouts', 'imagination.horizon'];

  const terms: MemoryTerm[] = [];
  /** `tensorFloats`: float32 tensor elements; `arrayBytes`: typed and plain arrays in JS. */
  const add = (
    name: string,
    phase: MemoryPhase,
    size: { readonly tensorFloats?: number; readonly arrayBytes?: number },
    knobs: readonly string[],
  ) => {
    const tensorBytes = (size.tensorFloats ?? 0) * F32;
    terms.push({ name, phase, bytes: tensorBytes + (size.arrayBytes ?? 0), tensorBytes, knobs });
  };
  /**
   * A rollout outside a gradient scope (CEM scoring, the sim evaluation): what rollout.ts keeps
   * for every step of R rows, its summary, and one step's forward pass through E members.
   */
  const untapedRollout = (R: number, H: number, actionColumns: number) =>
    H * (R * (d + actionColumns) + E * R * (output + 1) + rolloutSummary(R, E * R, actionColumns)) +
    E * R * forwardRow;
  /** What summarise() in rollout.ts builds over all H steps, per step. */
  const rolloutSummary = (R: number, memberRows: number, actionColumns: number) =>
    R * (3 * d + actionColumns + 5) + memberRows * (output + 3 * d);
  /** One critic TD(λ) step on R trajectories of H steps, and the trajectories it reads. */
  const criticStep = (R: number, H: number) =>
    BACKWARD_FACTOR * (H + 1) * R * (2 * d + criticHidden) + (H + 1) * R * (d + 2);

  // ── persistent ────────────────────────────────────────────────────────────────────────────
  const lastHidden = m.depth > 0 ? m.width : input;
  const modelParameters =
    E *
    (mlpParameters([input, ...Array<number>(m.depth).fill(m.width), output]) +
      (m.likelihood === 'gaussian' ? lastHidden * output + 4 * output : 0));
  add(
    'model parameters (weights and AdamW’s two moments)',
    'persistent',
    { tensorFloats: 3 * modelParameters },
    MODEL,
  );
  const policyParameters = mlpParameters([
    d,
    ...Array<number>(o.policyDepth).fill(o.policyWidth),
    f,
  ]);
  const criticParameters = mlpParameters([d, ...Array<number>(CRITIC.depth).fill(CRITIC.width), 1]);
  add(
    'policy and critic parameters (weights, Adam moments, gradients)',
    'persistent',
    { tensorFloats: 4 * (policyParameters + criticParameters) },
    POLICY,
  );
  const transitionBytes = (2 * d + 1) * F32 + F64 + 2;
  add('replay buffer', 'persistent', { arrayBytes: config.data.bufferSize * transitionBytes }, [
    'data.bufferSize',
  ]);
  add(
    'evaluation data (uniform box, oracle transitions, oracle planning envs or value grid)',
    'persistent',
    {
      arrayBytes:
        (UNIFORM_ROWS + K * L) * (2 * d + 1) * F32 +
        Math.max(ORACLE_POPULATION * ORACLE_HORIZON * F64 * 2, valueGridBytes(config.env.id)),
    },
    ['evaluation.episodes', 'evaluation.episodeLength'],
  );

  // ── fit ───────────────────────────────────────────────────────────────────────────────────
  // The fit's backward pass is written out (fitStep.ts): per member and row it keeps the layers'
  // outputs and, going back, one layer's gradients at a time.
  add(
    'model fit step (a minibatch per member through every layer and back)',
    'fit',
    {
      tensorFloats: E * m.batchSize * (input + 3 * output + (perUnit.forward + 1) * hidden) + modelParameters,
      arrayBytes: E * m.batchSize * (input + output) * F32,
    },
    ['model.batchSize', ...MODEL],
  );
  // fit.ts gathers the training split as float64 rows, then normalises a copy of them.
  const gatheredRow = transitionBytes + 2 * (input + output) * F64;
  add(
    'the buffer gathered for fitting, and the split evaluation',
    'fit',
    {
      tensorFloats: E * Math.min(FIT_EVALUATION_ROWS, config.data.bufferSize) * forwardRow,
      arrayBytes: config.data.bufferSize * gatheredRow,
    },
    ['data.bufferSize', ...MODEL],
  );
  if (m.pretrainTransitions > 0) {
    add(
      'the nominal simulator’s transitions for pre-training, gathered for fitting',
      'fit',
      { arrayBytes: m.pretrainTransitions * (transitionBytes + gatheredRow) },
      ['model.pretrainTransitions'],
    );
  }

  // ── improve ───────────────────────────────────────────────────────────────────────────────
  // The policy's tape is freed before the critic trains, so the phase holds the larger of them.
  const H = config.imagination.horizon;
  const policyHidden = o.policyWidth * o.policyDepth * 3;
  if (o.kind === 'gradient') {
    const B = config.imagination.rollouts;
    const cvar = config.risk.kind === 'cvar' && E > 1;
    const R = cvar ? E * B : B;
    // The imagination engine keeps, per step and row: the state and the model input, every
    // hidden layer of every member side by side, their act′ and the member mask (silu: its
    // pre-activations too), the policy's layers, their act′ and its features; then the policy's
    // per-step gradients and their concatenation for the weight gradients (src/imagination/).
    const state = d + (config.reward.kind === 'learned' ? 1 : 0);
    const membersWide = (2 * m.depth + 1 + (m.activation === 'silu' ? m.depth : 0)) * E * m.width;
    const perRow = 2 * (state + f) + membersWide + 6 * o.policyWidth * o.policyDepth + 5 * f + d;
    const kept = H * R * perRow;
    const critic = criticStep(R, H);
    add(
      kept >= critic
        ? 'imagined rollouts kept for backpropagation through all H steps'
        : 'critic TD(λ) step on the imagined rollouts',
      'improve',
      { tensorFloats: Math.max(kept, critic) + modelParameters },
      [...IMAGINATION, ...MODEL, ...(cvar ? ['risk.kind'] : []), ...POLICY],
    );
  } else if (o.kind === 'reinforce') {
    const R = config.imagination.rollouts;
    const logProbability = BACKWARD_FACTOR * H * R * (d + policyHidden + f + 4);
    const critic = criticStep(R, H);
    add(
      logProbability >= critic
        ? 'imagined rollouts, and log π over every imagined step on the tape'
        : 'imagined rollouts, and the critic TD(λ) step on them',
      'improve',
      {
        tensorFloats: untapedRollout(R, H, 1) + Math.max(logProbability, critic) + modelParameters,
      },
      [...IMAGINATION, ...MODEL, ...POLICY],
    );
  } else {
    // The evaluations plan their K episodes in lockstep: one rollout of K·P rows per CEM
    // iteration, in the sim evaluation (improve) and the real one (evaluate) alike.
    const P = o.cemPopulation;
    const cemH = o.cemHorizon;
    for (const phase of ['improve', 'evaluate'] as const) {
      add(
        `CEM-MPC planning the evaluation episodes together (episodes × population rows over the CEM horizon${phase === 'improve' ? ', in the model' : ', in the real env'})`,
        phase,
        {
          tensorFloats: untapedRollout(K * P, cemH, 1) + modelParameters,
          arrayBytes: K * P * cemH * (2 * F64 + F32) + K * P * d * F32,
        },
        ['optimiser.cemPopulation', 'optimiser.cemHorizon', 'evaluation.episodes', ...MODEL],
      );
    }
  }

  // ── evaluate ──────────────────────────────────────────────────────────────────────────────
  add(
    'sim evaluation (the evaluation episodes closed-loop in the model)',
    'evaluate',
    {
      tensorFloats: (o.kind === 'cem' ? 0 : untapedRollout(K, L, f)) + modelParameters,
      // evaluation.ts reads the rollout back and pushes the visited states into number arrays.
      arrayBytes: (L + 1) * K * (d + 2) * F32 + 2 * L * K * d * F64 * 2,
    },
    ['evaluation.episodes', 'evaluation.episodeLength', ...MODEL],
  );
  // modelError.ts and simulationBound.ts run every member on all the rows at once; the critic
  // error also runs the critic on every member's prediction of the on-policy rows.
  add(
    'one-step model and critic errors (uniform box, on-policy and oracle rows through every member)',
    'evaluate',
    {
      tensorFloats:
        E *
        Math.max(
          UNIFORM_ROWS * (forwardRow + 3 * d),
          K * L * (forwardRow + 3 * d + 2 * d + criticHidden),
        ),
    },
    ['evaluation.episodes', 'evaluation.episodeLength', ...MODEL],
  );

  terms.sort((a, b) => b.bytes - a.bytes);
  const sum = (phase: MemoryPhase, read: (term: MemoryTerm) => number) =>
    terms.filter((term) => term.phase === phase).reduce((total, term) => total + read(term), 0);
  const largest = (read: (term: MemoryTerm) => number) =>
    (['fit', 'improve', 'evaluate'] as const).reduce((best, phase) =>
      sum(phase, read) > sum(best, read) ? phase : best,
    );
  const bytes = (term: MemoryTerm) => term.bytes;
  const tensorBytes = (term: MemoryTerm) => term.tensorBytes;
  const peakPhase = largest(bytes);
  return {
    peakBytes: sum('persistent', bytes) + sum(peakPhase, bytes),
    tensorPeakBytes: sum('persistent', tensorBytes) + sum(largest(tensorBytes), tensorBytes),
    peakPhase,
    terms,
  };
}

/**
 * Several runs side by side, as the worker runs compared configs × seeds: they take turns one
 * event at a time, so each keeps its persistent memory (model, buffer, evaluation data) for the
 * whole run while only one at a time holds a phase's working set:
 *   peak = Σ persistent + the largest phase of any of them.
 * Runs that differ only in their seed are counted once, times their number.
 */
export function estimateSideBySide(configs: readonly ExperimentConfig[]): MemoryEstimate {
  return sideBySide(configs).estimate;
}

/**
 * Throws a MemoryBudgetError naming the terms that dominate (with their knobs and values) when
 * the estimated peak of the config — or of the configs run side by side — is above the budget;
 * returns the estimate otherwise. Call it before a run starts, as the lab and the worker do.
 */
export function assertWithinMemoryBudget(
  configs: ExperimentConfig | readonly ExperimentConfig[],
  budgetBytes: number = MEMORY_BUDGET_BYTES,
): MemoryEstimate {
  const runs: readonly ExperimentConfig[] = Array.isArray(configs)
    ? configs
    : [configs as ExperimentConfig];
  const { estimate, sources } = sideBySide(runs);
  if (estimate.peakBytes <= budgetBytes) return estimate;
  // The terms that make up most of the peak: the largest ones, until 80 % of it is named.
  const atPeak = estimate.terms.filter(
    (term) => term.phase === 'persistent' || term.phase === estimate.peakPhase,
  );
  const named: MemoryTerm[] = [];
  let covered = 0;
  for (const term of atPeak) {
    if (named.length > 0 && covered >= 0.8 * estimate.peakBytes) break;
    named.push(term);
    covered += term.bytes;
  }
  const lines = named.map((term) => {
    const config = sources.get(term) ?? runs[0];
    const knobs = term.knobs.map((path) => `${path} = ${String(valueAt(config, path))}`);
    return `  ${formatBytes(term.bytes)}: ${term.name} — ${knobs.join(', ')}`;
  });
  const what = runs.length === 1 ? 'this config' : `these ${runs.length} runs side by side`;
  throw new MemoryBudgetError(
    `${what} would need about ${formatBytes(estimate.peakBytes)} of memory at its peak (estimated), ` +
      `above the ${formatBytes(budgetBytes)} a run may use; most of it is:\n${lines.join('\n')}\n` +
      (runs.length === 1
        ? 'Lower the largest of these knobs.'
        : 'Lower the largest of these knobs, or compare fewer configs or seeds at once.'),
    estimate,
    budgetBytes,
  );
}

/** The side-by-side estimate, and which config each of its terms comes from. */
function sideBySide(configs: readonly ExperimentConfig[]): {
  estimate: MemoryEstimate;
  sources: Map<MemoryTerm, ExperimentConfig>;
} {
  if (configs.length === 0) throw new Error('estimateSideBySide: no config');
  const groups = new Map<string, { config: ExperimentConfig; count: number }>();
  for (const config of configs) {
    const key = JSON.stringify({ ...config, seed: 0 });
    const group = groups.get(key);
    if (group === undefined) groups.set(key, { config, count: 1 });
    else group.count++;
  }
  const entries = [...groups.values()].map((group, index) => ({
    ...group,
    index,
    estimate: estimateMemory(group.config),
  }));
  const persistentOf = (estimate: MemoryEstimate, read: (term: MemoryTerm) => number) =>
    estimate.terms
      .filter((term) => term.phase === 'persistent')
      .reduce((total, term) => total + read(term), 0);
  const bytes = (term: MemoryTerm) => term.bytes;
  const tensorBytes = (term: MemoryTerm) => term.tensorBytes;
  const phaseOf = (estimate: MemoryEstimate) => estimate.peakBytes - persistentOf(estimate, bytes);
  const worst = entries.reduce((a, b) => (phaseOf(b.estimate) > phaseOf(a.estimate) ? b : a));
  const tensorPhaseOf = (estimate: MemoryEstimate) =>
    estimate.tensorPeakBytes - persistentOf(estimate, tensorBytes);
  const sources = new Map<MemoryTerm, ExperimentConfig>();
  const terms: MemoryTerm[] = [];
  const label = (entry: (typeof entries)[number], name: string, persistent: boolean) =>
    (entries.length > 1 ? `config ${entry.index + 1}: ` : '') +
    name +
    (persistent && entry.count > 1 ? ` × ${entry.count} seeds` : '');
  for (const entry of entries) {
    for (const term of entry.estimate.terms) {
      const persistent = term.phase === 'persistent';
      if (!persistent && (entry !== worst || term.phase !== worst.estimate.peakPhase)) continue;
      const scale = persistent ? entry.count : 1;
      const scaled: MemoryTerm = {
        ...term,
        name: label(entry, term.name, persistent),
        bytes: term.bytes * scale,
        tensorBytes: term.tensorBytes * scale,
      };
      terms.push(scaled);
      sources.set(scaled, entry.config);
    }
  }
  terms.sort((a, b) => b.bytes - a.bytes);
  const persistentSum = (read: (term: MemoryTerm) => number) =>
    entries.reduce((total, entry) => total + entry.count * persistentOf(entry.estimate, read), 0);
  return {
    estimate: {
      peakBytes: persistentSum(bytes) + phaseOf(worst.estimate),
      tensorPeakBytes:
        persistentSum(tensorBytes) + Math.max(...entries.map((e) => tensorPhaseOf(e.estimate))),
      peakPhase: worst.estimate.peakPhase,
      terms,
    },
    sources,
  };
}

export function formatBytes(bytes: number): string {
  if (bytes >= 1024 ** 3) return `${(bytes / 1024 ** 3).toFixed(1)} GiB`;
  if (bytes >= 1024 ** 2) return `${(bytes / 1024 ** 2).toFixed(0)} MiB`;
  return `${Math.ceil(bytes / 1024)} KiB`;
}

/** Weights and biases of a dense stack with these layer sizes. */
function mlpParameters(sizes: readonly number[]): number {
  let count = 0;
  for (let l = 0; l + 1 < sizes.length; l++) count += sizes[l] * sizes[l + 1] + sizes[l + 1];
  return count;
}

function valueAt(config: ExperimentConfig, path: string): unknown {
  let node: unknown = config;
  for (const part of path.split('.')) {
    node =
      typeof node === 'object' && node !== null
        ? (node as Record<string, unknown>)[part]
        : undefined;
  }
  return node;
}
