/**
 * What the engine streams: one IterationReport per iteration (plain JSON, small: the grid is
 * coarse and trajectories are downsampled), and progress events inside an iteration. The schema
 * is the contract with the app, the lab and exported files, so it is validated, not assumed.
 */
import { z } from 'zod';
import { knobChangeSchema } from './config/knobSchedule';

export const PHASES = ['collect', 'fit', 'improve', 'evaluate'] as const;
export type Phase = (typeof PHASES)[number];

const finiteOrNull = z.number().nullable();
const point = z.tuple([z.number(), z.number()]);

export const gridReportSchema = z.object({
  size: z.number().int().positive(),
  xLabel: z.string(),
  yLabel: z.string(),
  xRange: z.tuple([z.number(), z.number()]),
  yRange: z.tuple([z.number(), z.number()]),
  error: z.array(z.number().nullable()),
  realVisits: z.array(z.number().int().nonnegative()),
  modelVisits: z.array(z.number().int().nonnegative()),
});

/**
 * What a policy-aware objective adds to the report: its own mechanism's figures, one member per
 * objective (`mse` adds none: the report's `objective` is null). Files written when every
 * objective carried the others' fields as null still read: the fields not its own are dropped.
 */
export const objectiveReportSchema = z.discriminatedUnion('kind', [
  z.object({
    kind: z.literal('policyAware'),
    /** The Error-MDP's adversary; null in files written before it reported on its first iteration. */
    adversary: z
      .object({
        /** Its discounted error return in imagination (critic-error units, or disagreement). */
        imaginedErrorReturn: finiteOrNull,
        /** The critic error per step it meets in the real env, from the evaluation starts. */
        realCriticError: finiteOrNull,
        /** The normalised one-step model error on the states it visits in the real env. */
        realModelError: finiteOrNull,
        /** Share of this iteration's real steps it collected (active data selection). */
        collectedShare: z.number(),
      })
      .nullable(),
  }),
  z.object({
    kind: z.literal('mnm'),
    /** The real-vs-model classifier's accuracy on held-out rows (0.5 = cannot tell). */
    classifierAccuracy: finiteOrNull,
  }),
  z.object({
    kind: z.literal('stackelberg'),
    /** The policy's imagined value lost to the adapted model, and the likelihood paid; null before the first adaptation. */
    maximin: z
      .object({ valueDrop: finiteOrNull, holdoutLossIncrease: finiteOrNull, steps: z.number().int().nonnegative() })
      .nullable(),
  }),
]);

export type ObjectiveReport = z.infer<typeof objectiveReportSchema>;
type ReportOf<K extends ObjectiveReport['kind']> = Extract<ObjectiveReport, { kind: K }>;

/** The adversary's figures, if the report is policyAware's. */
export function adversaryFigures(report: ObjectiveReport | null): ReportOf<'policyAware'>['adversary'] {
  return report?.kind === 'policyAware' ? report.adversary : null;
}

/** MnM's classifier accuracy, if the report is MnM's. */
export function classifierAccuracy(report: ObjectiveReport | null): number | null {
  return report?.kind === 'mnm' ? report.classifierAccuracy : null;
}

/** Stackelberg's maximin figures, if the report is Stackelberg's. */
export function maximinFigures(report: ObjectiveReport | null): ReportOf<'stackelberg'>['maximin'] {
  return report?.kind === 'stackelberg' ? report.maximin : null;
}

export const iterationReportSchema = z.object({
  iteration: z.number().int().nonnegative(),
  /** Real transitions collected so far (the data budget spent). */
  realSteps: z.number().int().nonnegative(),
  backend: z.string(),
  seconds: z.number().nonnegative(),
  timings: z.object({ collect: z.number(), fit: z.number(), improve: z.number(), evaluate: z.number() }),
  returns: z.object({ real: z.number(), sim: z.number(), oracle: finiteOrNull, random: z.number() }),
  /** simReturn − realReturn: positive when the model promises more than the world gives. */
  gap: z.number(),
  /** The simulation-lemma bound on |gap| from the on-policy critic error (simulationBound.ts). */
  bound: z.number(),
  modelError: z.object({
    uniform: z.number(),
    onPolicy: z.number(),
    strategic: finiteOrNull,
    adversarial: finiteOrNull,
  }),
  losses: z.object({
    /** null where the phase has not run yet (no fit or improvement steps). */
    modelTrain: finiteOrNull,
    modelHoldout: finiteOrNull,
    policy: finiteOrNull,
    critic: finiteOrNull,
  }),
  imaginedReturn: finiteOrNull,
  grid: gridReportSchema,
  /** The adversary's real trajectory is empty unless an objective runs one. */
  trajectories: z.object({ real: z.array(point), sim: z.array(point), adversary: z.array(point).default([]) }),
  /** Null for `mse` and for files written before objectives reported. */
  objective: objectiveReportSchema.nullable().default(null),
  /**
   * The first evaluation episode as the env view draws it: the real observations and, as its
   * ghost, the model's open-loop prediction from the same start under the same actions.
   */
  episode: z.object({
    observationNames: z.array(z.string()),
    real: z.array(z.array(z.number())),
    ghost: z.array(z.array(z.number())),
    actions: z.array(z.number()),
  }),
  /**
   * Knobs changed while the run went on (a live change, or a change on resuming after a
   * divergence) that this iteration is the first to run with; absent when none.
   */
  changes: z.array(knobChangeSchema).max(100).optional(),
});

export type IterationReport = z.infer<typeof iterationReportSchema>;

/** A NaN or Inf met in a phase: the run went back to its last good state and waits. */
export interface DivergedEvent {
  readonly kind: 'diverged';
  /** The iteration that failed; resuming retries it. */
  readonly iteration: number;
  readonly phase: Phase;
  readonly figure: string;
  readonly likelyCause: string;
  readonly message: string;
}

/**
 * The backend failed mid-run (an error that is not a divergence, inside an iteration): the run
 * moved to another backend, rebuilt its learners there from the last good iteration, and goes on
 * by retrying the iteration. Nothing waits for the user.
 */
export interface BackendFallbackEvent {
  readonly kind: 'backendFallback';
  /** The iteration that failed and is retried. */
  readonly iteration: number;
  /** Where it failed; null when another run on the same engine met the failure first. */
  readonly phase: Phase | null;
  readonly failed: string;
  /** The backend the run goes on with. */
  readonly backend: string;
  /** The failed backend's error. */
  readonly message: string;
}

export type ExperimentEvent =
  | { readonly kind: 'phase'; readonly iteration: number; readonly phase: Phase; readonly progress: number }
  | { readonly kind: 'report'; readonly report: IterationReport }
  | DivergedEvent
  | BackendFallbackEvent;
