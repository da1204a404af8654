/**
 * The schedule of a run's live changes: which knob changed to what, at the start of which
 * iteration. The app's run records it (each report lists the changes it is the first to run
 * with), a results file carries it beside the config the run started from, and the lab replays
 * it, so `npm run lab -- --config FILE` reproduces a run whose knobs were turned while it ran.
 *
 *   "schedule": [{ "iteration": 5, "key": "lr", "from": 0.001, "to": 0.003 }]
 *
 * Keys are the links' (the knob registry's); only live knobs may change (knobs.ts: `change`).
 */
import { z } from 'zod';
import { KNOBS, knobByKey, readLeaf, withLeaf, type KnobChange, type KnobKey } from './knobs';
import { experimentConfigSchema, type ExperimentConfig } from './schema';

const knobKeySchema = z.enum(KNOBS.map((knob) => knob.key) as [KnobKey, ...KnobKey[]]);
const knobValueSchema = z.union([z.number(), z.string().max(100)]);

/** A change as a report lists it (the report's iteration is when it took effect). */
export const knobChangeSchema = z
  .object({ key: knobKeySchema, from: knobValueSchema, to: knobValueSchema })
  .strict();

/** A change with the iteration it applies from (0-based, as reports count). */
export interface ScheduledChange extends KnobChange {
  readonly iteration: number;
}

/** A results file's schedule, its shape only; `checkSchedule` checks it against the config. */
export const scheduleSchema = z
  .array(
    z
      .object({
        iteration: z.number().int().min(1),
        key: knobKeySchema,
        /** Written by the app and the lab; optional when a person writes a schedule. */
        from: knobValueSchema.optional(),
        to: knobValueSchema,
      })
      .strict(),
  )
  .max(10_000);

/** The schedule a run's reports record, in order. */
export function scheduleOf(
  reports: readonly { readonly iteration: number; readonly changes?: readonly KnobChange[] }[],
): ScheduledChange[] {
  return reports.flatMap((report) =>
    (report.changes ?? []).map((change) => ({ iteration: report.iteration, ...change })),
  );
}

/** The config a run goes on with from `iteration` on: its start config with every change up to then. */
export function configAt(
  config: ExperimentConfig,
  schedule: readonly ScheduledChange[],
  iteration: number,
): ExperimentConfig {
  let current = config;
  for (const change of schedule) {
    if (change.iteration > iteration) break;
    const knob = knobByKey(change.key);
    if (knob !== undefined) current = withLeaf(current, knob, change.to);
  }
  return current;
}

/** The most iterations the run has at any point of its schedule (its reports can reach this many). */
export function mostIterations(
  config: ExperimentConfig,
  schedule: readonly ScheduledChange[],
): number {
  return schedule.reduce(
    (most, change) => (change.key === 'it' ? Math.max(most, Number(change.to)) : most),
    config.iterations,
  );
}

export type ScheduleCheck =
  | { readonly ok: true; readonly schedule: ScheduledChange[] }
  | { readonly ok: false; readonly problems: string[] };

/**
 * Reads a schedule against the config the run starts from: known live knobs, each value one the
 * schema takes, iterations in order and before the run's end, and `from` (when given) the value
 * the change replaces. Every problem is named by its place (`schedule.2.to`).
 */
export function checkSchedule(config: ExperimentConfig, input: unknown): ScheduleCheck {
  const shape = scheduleSchema.safeParse(input);
  if (!shape.success) {
    return {
      ok: false,
      problems: shape.error.issues.map(
        (issue) =>
          `schedule${issue.path.map((part) => `.${String(part)}`).join('')}: ${issue.message}`,
      ),
    };
  }
  const problems: string[] = [];
  const schedule: ScheduledChange[] = [];
  let current = config;
  let last = 0;
  shape.data.forEach((entry, index) => {
    const at = `schedule.${index}`;
    const knob = knobByKey(entry.key);
    if (knob === undefined) return;
    const previous = last;
    last = Math.max(last, entry.iteration);
    if (entry.iteration < previous) {
      problems.push(
        `${at}.iteration: ${entry.iteration} comes after ${previous}; list changes in order`,
      );
      return;
    }
    if (entry.iteration >= current.iterations) {
      problems.push(
        `${at}.iteration: ${entry.iteration} is past the run's end (it has ${current.iterations} iterations then)`,
      );
      return;
    }
    if (knob.change !== 'live') {
      problems.push(
        `${at}.key: ${entry.key} (${knob.label}) needs a fresh run; it cannot change mid-run`,
      );
      return;
    }
    const before = readLeaf(current, knob);
    if (entry.from !== undefined && entry.from !== before) {
      problems.push(
        `${at}.from: ${entry.key} is ${String(before)} at iteration ${entry.iteration}, not ${String(entry.from)}`,
      );
      return;
    }
    const next = withLeaf(current, knob, entry.to);
    const valid = experimentConfigSchema.safeParse(next);
    if (!valid.success) {
      const issue = valid.error.issues[0];
      problems.push(
        `${at}.to: ${JSON.stringify(entry.to)} is not a value of ${entry.key}: ${issue.message}`,
      );
      return;
    }
    current = next;
    schedule.push({ iteration: entry.iteration, key: entry.key, from: before, to: entry.to });
  });
  return problems.length > 0 ? { ok: false, problems } : { ok: true, schedule };
}

/** How a change reads on a chart's marker: "lr 0.001 → 0.003". */
export function describeChange(
  change: KnobChange,
  format: (value: number) => string = String,
): string {
  const show = (value: string | number) => (typeof value === 'number' ? format(value) : value);
  return `${change.key} ${show(change.from)} → ${show(change.to)}`;
}
