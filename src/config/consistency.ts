/**
 * Knob combinations the loop cannot run yet, each refused by name instead of a knob being
 * ignored. The loop checks them before it runs and before it takes a live change; the app checks
 * a live edit with them before handing it to a running run, so a slider never ends a run.
 */
import type { ExperimentConfig } from './schema';

/** Why the loop cannot run this config, or null. */
export function unsupportedReason(config: ExperimentConfig): string | null {
  const o = config.optimiser;
  if (o.kind === 'cem' && o.cemElites > o.cemPopulation) {
    return `optimiser "cem": cemElites (${o.cemElites}) exceed cemPopulation (${o.cemPopulation})`;
  }
  // MnM rewards the policy's imagined transitions and Stackelberg lowers a policy's imagined
  // value: both need a policy network, which CEM-MPC does not have.
  if (
    (config.objective.kind === 'mnm' || config.objective.kind === 'stackelberg') &&
    o.kind === 'cem'
  ) {
    return `objective "${config.objective.kind}" needs a policy network: choose optimiser "gradient" or "reinforce", not "cem"`;
  }
  if (config.risk.kind === 'cvar' && o.kind !== 'gradient') {
    return `risk "cvar" aggregates member returns inside the gradient optimiser only; with optimiser "${o.kind}" choose risk "mean"`;
  }
  // Zero-mean noise on the rewards moves no gradient taken through the model and no plan's
  // expected score: only REINFORCE samples it, which is the question the knob asks.
  if (config.reward.noiseStd > 0 && o.kind !== 'reinforce') {
    return `reward noise applies to optimiser "reinforce" only; with "${o.kind}" set reward noise to 0`;
  }
  return null;
}
