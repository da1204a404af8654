/**
 * The results file: what the lab writes with --out and the app downloads as "Export JSON", and
 * what `npm run lab -- --config FILE` and the app's "Load file" read back. One format:
 *
 *   { config: ExperimentConfig, backend: BackendChoice | null, runs: [{ seed, reports }], summary,
 *     schedule: [{ iteration, key, from, to }] }
 *
 * `config` is the config the runs started from; `schedule` the live changes made while they ran
 * (src/config/knobSchedule.ts), which the lab replays, so a file re-run gives the same reports.
 *
 * A file comes from outside, so reading one trusts nothing: a size cap before parsing, JSON
 * parsed as data (never evaluated, `__proto__` keys dropped), the shape checked with zod, every
 * report against `iterationReportSchema`, the config with `parseConfig`, and the things a viewer
 * would loop over (grid size, frame counts) bounded. Every refusal names the problem.
 *
 * Plain TypeScript with no DOM and no node imports: the lab and the app share it.
 */
import { z } from 'zod';
import type { BackendChoice } from './backend';
import {
  checkSchedule,
  mostIterations,
  scheduleOf,
  type ScheduledChange,
} from './config/knobSchedule';
import { parseConfig } from './config/parse';
import type { ExperimentConfig } from './config/schema';
import { meanInterval, type MeanInterval } from './metrics/aggregate';
import { iterationReportSchema, type IterationReport } from './report';

/** Files above this are refused before they are parsed. */
export const MAX_FILE_BYTES = 20 * 1024 * 1024;
/** More seeds than this in one file is not a lab output. */
export const MAX_RUNS = 100;
/** The largest grid side a viewer will draw (the engine's is 16). */
export const MAX_GRID_SIZE = 128;
/** The most episode frames and trajectory points a viewer will draw (the engine's are 200 and 100). */
export const MAX_FRAMES = 5_000;
/**
 * JSON nested deeper than this is refused before parsing: the deepest a lab output goes is 7
 * (runs → reports → episode → real → frame), and a parser or validator walking a hostile
 * 100 000-deep file recursively would exhaust the stack.
 */
export const MAX_JSON_DEPTH = 32;
/** At most this many problems are listed; the rest are counted. */
const MAX_LISTED_PROBLEMS = 8;

export interface LabRun {
  readonly seed: number;
  readonly reports: IterationReport[];
}

export interface LabOutput {
  /** The config the runs started from. */
  readonly config: ExperimentConfig;
  /** Knobs changed while the runs went on, each with the iteration it applied from ([] if none). */
  readonly schedule: readonly ScheduledChange[];
  /** The tensor backend the reports were computed on; null if unknown. */
  readonly backend: BackendChoice | null;
  readonly runs: LabRun[];
  /** The last iteration's mean and 95 % interval over the runs, per metric. */
  readonly summary: Record<string, MeanInterval>;
}

const backendNames = z.enum(['webgpu', 'webgl', 'wasm', 'cpu']);
const backendChoiceSchema = z.object({
  backend: backendNames,
  reason: z.string().max(10_000),
  timings: z.partialRecord(backendNames, z.number()),
  failures: z.partialRecord(backendNames, z.string().max(10_000)),
});

/** JSON has no NaN: an interval over no finite value is written with nulls. */
const intervalSchema = z.object({
  mean: z.number().nullable(),
  halfWidth: z.number().nullable(),
  count: z.number().int().nonnegative(),
});

const runSchema = z.object({
  seed: z.number().int().nonnegative(),
  reports: z.array(iterationReportSchema).min(1, 'a run needs at least one report'),
});

/** The file's shape; the config is checked separately by parseConfig for its own messages. */
export const labOutputSchema = z.object({
  config: z.record(z.string(), z.unknown()),
  backend: backendChoiceSchema.nullable().optional(),
  runs: z.array(runSchema).min(1, 'the file holds no run').max(MAX_RUNS),
  summary: z.record(z.string(), intervalSchema).optional(),
  /** Checked against the config by checkSchedule; files written before live changes have none. */
  schedule: z.unknown().optional(),
});

/** One metric of the summary table and the CSV: how to read it from a report. */
const SUMMARY_COLUMNS: readonly [string, (report: IterationReport) => number | null][] = [
  ['real return', (r) => r.returns.real],
  ['sim return', (r) => r.returns.sim],
  ['oracle return', (r) => r.returns.oracle],
  ['random return', (r) => r.returns.random],
  ['gap (sim − real)', (r) => r.gap],
  ['bound', (r) => r.bound],
  ['normalised real return', (r) => normalisedReturn(r)],
  ['uniform error', (r) => r.modelError.uniform],
  ['on-policy error', (r) => r.modelError.onPolicy],
  ['strategic error', (r) => r.modelError.strategic],
  ['seconds per iteration', (r) => r.seconds],
];

/** Real return on the scale random policy = 0, oracle = 1. */
export function normalisedReturn(report: IterationReport): number | null {
  const { real, oracle, random } = report.returns;
  if (oracle === null || oracle === random) return null;
  return (real - random) / (oracle - random);
}

/** The last iteration's mean ± 95 % interval over the given reports (one per seed). */
export function summarise(lastReports: readonly IterationReport[]): Record<string, MeanInterval> {
  const summary: Record<string, MeanInterval> = {};
  for (const [name, read] of SUMMARY_COLUMNS) {
    summary[name] = meanInterval(lastReports.map(read).filter((v): v is number => v !== null));
  }
  return summary;
}

/**
 * The file's content for these runs (the summary over each run's last report). `config` is the
 * config they started from; `schedule`, the live changes they ran with (scheduleOf(reports)).
 */
export function buildLabOutput(
  config: ExperimentConfig,
  backend: BackendChoice | null,
  runs: readonly LabRun[],
  schedule: readonly ScheduledChange[] = [],
): LabOutput {
  const lastReports = runs
    .map((run) => run.reports[run.reports.length - 1])
    .filter((report): report is IterationReport => report !== undefined);
  return {
    config,
    schedule,
    backend,
    runs: runs.map((run) => ({ seed: run.seed, reports: run.reports })),
    summary: summarise(lastReports),
  };
}

/** The schedule a run's reports record (the changes each was the first to run with). */
export { scheduleOf };

/**
 * The JSON text the lab writes and the app downloads: compact, as indentation more than doubles
 * a file of reports (~20 kB per report compact, so ~1 000 iterations fit under the size cap).
 */
export function serialiseLabOutput(output: LabOutput): string {
  return JSON.stringify(output);
}

export const CSV_HEADER =
  'seed,iteration,realSteps,real,sim,oracle,random,gap,bound,uniformError,onPolicyError,strategicError,modelTrain,modelHoldout,policyLoss,criticLoss,seconds';

/** One row per report of every run; numbers only (an absent value is an empty cell). */
export function csvRows(runs: readonly LabRun[]): string {
  const cell = (value: number | null) =>
    value === null || !Number.isFinite(value) ? '' : String(value);
  const lines = runs.flatMap(({ seed, reports }) =>
    reports.map((r) =>
      [
        seed,
        r.iteration,
        r.realSteps,
        r.returns.real,
        r.returns.sim,
        r.returns.oracle,
        r.returns.random,
        r.gap,
        r.bound,
        r.modelError.uniform,
        r.modelError.onPolicy,
        r.modelError.strategic,
        r.losses.modelTrain,
        r.losses.modelHoldout,
        r.losses.policy,
        r.losses.critic,
        r.seconds,
      ]
        .map(cell)
        .join(','),
    ),
  );
  return [CSV_HEADER, ...lines].join('\n') + '\n';
}

/** A file name for an export: env, objective and seed, only [A-Za-z0-9._-]. */
export function exportFileName(
  config: ExperimentConfig,
  seed: number,
  extension: 'json' | 'csv',
): string {
  const safe = (text: string) => text.replace(/[^A-Za-z0-9._-]+/g, '-');
  return `mismatch-lab_${safe(config.env.id)}_${safe(config.objective.kind)}_seed${seed}.${extension}`;
}

export type LabOutputParseResult =
  | { readonly ok: true; readonly output: LabOutput }
  | { readonly ok: false; readonly problems: readonly string[] };

export interface ParseOptions {
  /** The file's size in bytes when known (a File's size); else the text's length is used. */
  readonly bytes?: number;
  readonly maxBytes?: number;
}

const refuse = (...problems: string[]): LabOutputParseResult => ({ ok: false, problems });

const megabytes = (bytes: number) => `${(bytes / (1024 * 1024)).toFixed(1)} MB`;

function describeJsonType(value: unknown): string {
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'an array';
  return `a ${typeof value}`;
}

/** Keys that would reach an object's prototype if a later step assigned them: dropped on parse. */
const PROTOTYPE_KEYS = new Set(['__proto__', 'constructor', 'prototype']);

function issuePath(path: readonly PropertyKey[]): string {
  return path.length === 0 ? '(file)' : path.map(String).join('.');
}

function listed(problems: string[]): string[] {
  if (problems.length <= MAX_LISTED_PROBLEMS) return problems;
  return [
    ...problems.slice(0, MAX_LISTED_PROBLEMS),
    `… and ${problems.length - MAX_LISTED_PROBLEMS} more problem(s)`,
  ];
}

/** What a viewer loops over must be as the engine makes it, or bounded. */
function checkDrawable(runs: readonly LabRun[], iterations: number): string[] {
  const problems: string[] = [];
  runs.forEach((run, r) => {
    if (run.reports.length > iterations) {
      problems.push(
        `runs.${r}.reports: ${run.reports.length} reports, more than the config's ${iterations} iterations`,
      );
    }
    run.reports.forEach((report, i) => {
      const at = `runs.${r}.reports.${i}`;
      if (report.iteration !== i) {
        problems.push(
          `${at}.iteration: expected ${i} (reports in order from 0), found ${report.iteration}`,
        );
      }
      const grid = report.grid;
      if (grid.size > MAX_GRID_SIZE) {
        problems.push(`${at}.grid.size: ${grid.size} is above the maximum ${MAX_GRID_SIZE}`);
      } else {
        const cells = grid.size * grid.size;
        for (const key of ['error', 'realVisits', 'modelVisits'] as const) {
          if (grid[key].length !== cells) {
            problems.push(
              `${at}.grid.${key}: ${grid[key].length} cells, expected size² = ${cells}`,
            );
          }
        }
      }
      for (const key of ['xRange', 'yRange'] as const) {
        if (!(grid[key][1] > grid[key][0]))
          problems.push(`${at}.grid.${key}: the end must be above the start`);
      }
      const { episode, trajectories } = report;
      const width = episode.observationNames.length;
      if (
        episode.real.length > MAX_FRAMES ||
        trajectories.real.length > MAX_FRAMES ||
        trajectories.sim.length > MAX_FRAMES
      ) {
        problems.push(`${at}: more than ${MAX_FRAMES} episode frames or trajectory points`);
      }
      if (
        episode.ghost.length !== episode.real.length ||
        episode.actions.length !== episode.real.length
      ) {
        problems.push(`${at}.episode: real, ghost and actions must have one entry per frame`);
      }
      if ([...episode.real, ...episode.ghost].some((frame) => frame.length !== width)) {
        problems.push(
          `${at}.episode: every frame needs ${width} values (one per observation name)`,
        );
      }
    });
  });
  return problems;
}

/**
 * Why this JSON text nests too deep, or null: brackets are counted outside strings in one pass,
 * without parsing, so the check itself cannot overflow.
 */
export function jsonNestingProblem(text: string, maxDepth = MAX_JSON_DEPTH): string | null {
  let depth = 0;
  let inString = false;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (inString) {
      if (c === 0x5c)
        i++; // a backslash escapes the next character
      else if (c === 0x22) inString = false;
    } else if (c === 0x22) {
      inString = true;
    } else if (c === 0x7b || c === 0x5b) {
      if (++depth > maxDepth)
        return `the JSON nests deeper than ${maxDepth} levels (at character ${i})`;
    } else if (c === 0x7d || c === 0x5d) {
      depth--;
    }
  }
  return null;
}

/**
 * JSON.parse as data: no code runs, and `__proto__` / `constructor` / `prototype` keys are
 * dropped, so no later spread or merge of the result can reach a prototype. Throws JSON.parse's
 * SyntaxError on malformed text.
 */
export function parseJsonData(text: string): unknown {
  return JSON.parse(text, (key, value: unknown) => (PROTOTYPE_KEYS.has(key) ? undefined : value));
}

/** Why a file of this many bytes is refused before it is read, or null if its size is fine. */
export function fileSizeProblem(bytes: number, maxBytes = MAX_FILE_BYTES): string | null {
  return bytes > maxBytes
    ? `the file is ${megabytes(bytes)}, above the ${megabytes(maxBytes)} limit`
    : null;
}

/**
 * Reads a results file's text. Refuses, with every problem named, anything that is not a lab
 * output this engine could have written; never throws.
 */
export function parseLabOutput(text: unknown, options: ParseOptions = {}): LabOutputParseResult {
  if (typeof text !== 'string')
    return refuse(`expected the file's text, got ${describeJsonType(text)}`);
  const tooBig = fileSizeProblem(Math.max(options.bytes ?? 0, text.length), options.maxBytes);
  if (tooBig !== null) return refuse(tooBig);
  if (text.trim() === '') return refuse('the file is empty');
  const tooDeep = jsonNestingProblem(text);
  if (tooDeep !== null) return refuse(tooDeep);

  let json: unknown;
  try {
    json = parseJsonData(text);
  } catch (error) {
    const message = error instanceof Error ? error.message : String(error);
    // V8 says "end of JSON input" or names a position at the very end; Firefox "end of data".
    const position = /at position (\d+)/.exec(message);
    const truncated =
      /end of (JSON )?(input|data)|unterminated/i.test(message) ||
      (position !== null && Number(position[1]) >= text.trimEnd().length);
    return refuse(
      truncated
        ? `the file is not complete JSON (it looks truncated): ${message}`
        : `the file is not valid JSON: ${message}`,
    );
  }
  if (typeof json !== 'object' || json === null || Array.isArray(json)) {
    return refuse(
      `the file must hold a JSON object with "config" and "runs", found ${describeJsonType(json)}`,
    );
  }

  const shape = labOutputSchema.safeParse(json);
  if (!shape.success) {
    return refuse(
      ...listed(shape.error.issues.map((issue) => `${issuePath(issue.path)}: ${issue.message}`)),
    );
  }
  const config = parseConfig(shape.data.config);
  if (!config.ok) {
    return refuse(
      ...listed(config.problems.map((problem) => `config.${problem.path}: ${problem.message}`)),
    );
  }
  const schedule = checkSchedule(config.config, shape.data.schedule ?? []);
  if (!schedule.ok) return refuse(...listed(schedule.problems));
  const runs: LabRun[] = shape.data.runs.map((run) => ({ seed: run.seed, reports: run.reports }));
  const drawable = checkDrawable(runs, mostIterations(config.config, schedule.schedule));
  if (drawable.length > 0) return refuse(...listed(drawable));

  const summary: Record<string, MeanInterval> = {};
  for (const [name, interval] of Object.entries(shape.data.summary ?? {})) {
    summary[name] = {
      mean: interval.mean ?? Number.NaN,
      halfWidth: interval.halfWidth ?? Number.NaN,
      count: interval.count,
    };
  }
  return {
    ok: true,
    output: {
      config: config.config,
      schedule: schedule.schedule,
      backend: (shape.data.backend ?? null) as BackendChoice | null,
      runs,
      summary,
    },
  };
}
