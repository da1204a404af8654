/**
 * How long one iteration of a config will take on the WASM backend, estimated before it starts,
 * so the app can say so before Play (and a learner who asks for the papers' model sizes is told
 * it means tens of seconds an iteration, not a frozen page).
 *
 * Each phase costs its arithmetic at the rate WASM's matMuls reach at these sizes, plus the
 * kernels it dispatches at what one costs besides its arithmetic (dispatch, the engine's
 * bookkeeping, the JS between kernels):
 *   improve  steps × (H × (kernels per imagined step · c + FLOPs per step / rate) + per-step work)
 *   fit      steps × (kernels per fit step · c + FLOPs per fit step / rate)
 *   evaluate the closed-loop sim episodes and the one-step errors on every evaluation row set
 * The FLOP counts follow the engine's layouts (src/imagination/frozenEnsemble.ts) and the kernel
 * counts what `npm run bench -- loop`
 * counts; `npm run bench -- loop` prints this estimate beside the measured seconds, which is how
 * the two constants below were set (docs/BENCHMARKS.md).
 */
import { getEnv } from '../envs/index';
import { usesBlockLayout } from '../imagination/layoutChoice';
import type { ExperimentConfig } from './schema';
import { CRITIC } from '../policies/criticShape';

/** FLOP/s of WASM's XNNPACK matMuls at the sizes the engine runs (64–2 048 rows, 4–1 000 wide). */
const FLOP_RATE = 25e9;
/** Seconds a kernel costs besides its arithmetic, measured on the 2-core machine the targets are set on. */
const KERNEL_SECONDS = 1e-5;
/** Fixed rows the evaluation measures the model on (the uniform box). */
const UNIFORM_ROWS = 2048;

export interface TimeEstimate {
  /** Seconds per iteration after the first (which also builds what is computed once). */
  readonly seconds: number;
  readonly phases: { readonly fit: number; readonly improve: number; readonly evaluate: number };
}

export function estimateIterationSeconds(config: ExperimentConfig): TimeEstimate {
  const spec = getEnv(config.env.id).spec;
  const d = spec.observationNames.length;
  const f = spec.actionSpace.kind === 'box' ? 1 : spec.actionSpace.n;
  const m = config.model;
  const o = config.optimiser;
  const E = m.ensembleSize;
  const W = m.width;
  const L = m.depth;
  const input = d + f;
  const output = d + 1;
  const H = config.imagination.horizon;
  const B = config.imagination.rollouts;
  const R = config.risk.kind === 'cvar' && E > 1 ? E * B : B;
  const time = (kernels: number, flops: number) => kernels * KERNEL_SECONDS + flops / FLOP_RATE;

  // Multiply-adds per row: one member's layers, the frozen ensemble's (frozenEnsemble.ts: in the
  // block layout every member's first layer, then one member's arithmetic per layer on E·W-wide
  // operands (chosenMemberLayers.ts); in the member layout every member on every row), the
  // policy's and the critic's.
  const memberMacs = L === 0 ? input * output : input * W + (L - 1) * W * W + W * output;
  const block = usesBlockLayout(E, L, W);
  const ensembleMacs = block ? (L === 0 ? input * E * output : input * E * W + (L - 1) * E * W * W + E * W * output) : E * memberMacs;
  /** Kernels a step of the frozen ensemble adds, forward and back (a narrow layer adds two, a widened head four). */
  const blockKernels = 4 * L + 4 + (L >= 2 ? 2 * Math.ceil((L - 1) / 2) + (L % 2 === 0 ? 4 : 0) : 0);
  const ensembleKernels = block ? blockKernels : E * (3 * L + 3) + 2;
  const policyMacs = d * o.policyWidth + (o.policyDepth - 1) * o.policyWidth ** 2 + o.policyWidth * f;
  const criticMacs = d * CRITIC.width + (CRITIC.depth - 1) * CRITIC.width ** 2 + CRITIC.width;

  // fit: each member forward, then back (dW and dh per layer), then AdamW.
  const fitKernels = E * (10 * (L + 1) + 2);
  const fitFlops = 2 * 3 * E * m.batchSize * memberMacs;
  const fit = m.trainStepsPerIteration * time(fitKernels, fitFlops);

  // improve: forward and back through time, the policy's weight gradients, the critic's step.
  const criticStep = time(60, 2 * 3 * (H + 1) * R * criticMacs);
  let improve: number;
  if (o.kind === 'gradient') {
    const stepKernels = 3 * (o.policyDepth + 1) + ensembleKernels + 4;
    const stepFlops = 2 * R * (3 * policyMacs + 2 * ensembleMacs);
    improve = o.stepsPerIteration * (H * time(stepKernels, stepFlops) + time(150, 2 * H * R * policyMacs) + criticStep);
  } else if (o.kind === 'reinforce') {
    const stepKernels = o.policyDepth + ensembleKernels / 2 + 8;
    const stepFlops = 2 * R * (policyMacs + ensembleMacs);
    improve = o.stepsPerIteration * (H * time(stepKernels, stepFlops) + time(120, 2 * 3 * H * R * policyMacs) + criticStep);
  } else {
    // CEM-MPC plans every real step of the K evaluation episodes inside the model.
    const rows = config.evaluation.episodes * o.cemPopulation;
    const perPlan = o.cemIterations * o.cemHorizon * time(ensembleKernels / 2 + 6, 2 * rows * ensembleMacs);
    improve = config.evaluation.episodeLength * perPlan;
  }
  // Objectives that add imagined work: the adversary plays as many steps as the policy (and its
  // error head fits), MnM's classifier trains, Stackelberg's follower differentiates J.
  const objective = config.objective.kind;
  if (objective === 'policyAware') improve *= 2.2;
  else if (objective === 'mnm') improve += 200 * time(40, 2 * 3 * 256 * criticMacs);
  else if (objective === 'stackelberg') improve += 10 * H * time(60, 2 * 3 * E * B * memberMacs * E);

  // evaluate: K episodes closed-loop in the model, then every member on the error rows.
  const K = config.evaluation.episodes;
  const episode = config.evaluation.episodeLength;
  const errorRows = UNIFORM_ROWS + 2 * K * episode;
  const evaluate =
    episode * time(o.policyDepth + ensembleKernels / 2 + 6, 2 * K * (policyMacs + ensembleMacs)) + time(200, 2 * E * errorRows * memberMacs + 2 * (E + 1) * errorRows * criticMacs);

  return { seconds: fit + improve + evaluate, phases: { fit, improve, evaluate } };
}

/** "about 1 s", "about 40 s", "about 3 min": what the app shows before Play. */
export function formatSeconds(seconds: number): string {
  if (seconds < 1.5) return `about ${Math.max(0.1, Math.round(seconds * 10) / 10)} s`;
  if (seconds < 90) return `about ${Math.round(seconds)} s`;
  return `about ${Math.round(seconds / 60)} min`;
}
