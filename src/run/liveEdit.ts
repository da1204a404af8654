/**
 * What an edit of the settings on screen means for the run going on, by the knob registry
 * (src/config/knobs.ts): the knobs that need a fresh run wait for a restart the user confirms;
 * the live ones go to the running run at once (its next iteration). The app asks this on every
 * edit; nothing here knows the UI.
 */
import { comparedConfigs, type VariantOverrides } from '../config/compareVariants';
import { unsupportedReason } from '../config/consistency';
import {
  knobByPath,
  REAL_PARAMS_PATH,
  restartKnobs,
  withLiveKnobs,
  type KnobPath,
} from '../config/knobs';
import { assertWithinMemoryBudget, MemoryBudgetError } from '../config/resourceEstimate';
import type { ExperimentConfig } from '../config/schema';
import { expandLanes } from './lanes';

/** What runs: the compared configs (the base first) and the seeds each runs on. */
export interface RunSetup {
  readonly variants: readonly ExperimentConfig[];
  readonly seeds: number;
}

/** What is on screen: the base config, its variants' overrides, the seed count. */
export interface EditedSetup {
  readonly config: ExperimentConfig;
  readonly compare: readonly VariantOverrides[];
  readonly seeds: number;
}

export interface EditPlan {
  /** What differs from the run and needs a fresh run, as the controls name it; [] if nothing. */
  readonly restart: readonly string[];
  /** The configs the run goes on with once the live edits apply; null if none differs. */
  readonly live: readonly ExperimentConfig[] | null;
  /** Why the run cannot take those live edits (the loop would refuse them); null if it can. */
  readonly refused: string | null;
}

const SEEDS_LABEL = 'Seeds per config';
const VARIANTS_LABEL = 'Compared configs';
const REAL_WORLD_LABEL = 'Real-world physics';

function labelOf(path: string): string {
  return path === REAL_PARAMS_PATH ? REAL_WORLD_LABEL : knobByPath(path as KnobPath).label;
}

export function planEdit(run: RunSetup, edited: EditedSetup): EditPlan {
  const restart: string[] = [];
  if (edited.seeds !== run.seeds) restart.push(SEEDS_LABEL);
  let editedVariants: ExperimentConfig[];
  try {
    editedVariants = comparedConfigs(edited.config, edited.compare);
  } catch {
    // A variant the schema refuses (the controls never make one): it can only start afresh.
    return { restart: [...restart, VARIANTS_LABEL], live: null, refused: null };
  }
  if (editedVariants.length !== run.variants.length) {
    return { restart: [...restart, VARIANTS_LABEL], live: null, refused: null };
  }
  const waiting = new Set<string>();
  let changed = false;
  const live = run.variants.map((running, index) => {
    const wanted = editedVariants[index];
    for (const path of restartKnobs(running, wanted)) waiting.add(labelOf(path));
    const next = withLiveKnobs(running, wanted);
    if (next !== running) changed = true;
    return next;
  });
  restart.push(...waiting);
  if (!changed) return { restart, live: null, refused: null };
  return { restart, live, refused: refusal(live, run.seeds) };
}

/** Why the loop would refuse to go on with these configs, or null. */
function refusal(configs: readonly ExperimentConfig[], seeds: number): string | null {
  for (const config of configs) {
    const reason = unsupportedReason(config);
    if (reason !== null) return reason;
  }
  try {
    // The lanes run side by side in one worker: together they must fit, as at the start.
    assertWithinMemoryBudget(expandLanes(configs, seeds).map((lane) => lane.config));
  } catch (error) {
    if (error instanceof MemoryBudgetError) return error.message;
    throw error;
  }
  return null;
}
