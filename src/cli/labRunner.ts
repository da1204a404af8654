/**
 * The headless lab as a function: `runLab(argv)` does what `npm run lab -- ARGS` does (src/cli/lab.ts
 * is only its command-line entry), printing through `io` and returning the exit code with the
 * output, so tests can run many configs in one process.
 *
 *   (--preset NAME | --config FILE | --url 'HASH') [--iterations N] [--seed S] [--seeds K]
 *   [--backend wasm|cpu] [--out FILE] [--csv FILE] [--quiet]
 *
 * Runs an experiment headless with the same engine the app runs in its worker, prints one line
 * per iteration, and writes `{config, backend, runs: [{seed, reports}], summary}` (the format of
 * src/exportFile.ts, which the app also exports and loads). With K seeds (S, S+1,
 * …) the closing table gives the last iteration's mean and 95 % interval over seeds.
 *
 * A results file given as `--config` (the app's Export JSON, or the lab's own --out) is run from
 * the config it started with, replaying its `schedule` of live changes: every seed goes on with
 * each change from the iteration it names, as the app's run did, so the reports come out the same.
 *
 * A link is read as the app reads it: its `seeds=` is the seed count unless `--seeds` is given,
 * and a comparison (`cmp=`) runs each compared config in turn, the base first, each with its own
 * summary; `--out`/`--csv` then write one file per config (`x.json`, `x.config-2.json`, …).
 *
 * Exit codes: 0 done; 2 refused before anything ran (usage, an invalid or unreadable config, a
 * config above the memory budget); 1 the run failed (`failure` says where).
 */
import { readFileSync, statSync, writeFileSync } from 'node:fs';
import type { BackendChoice, BackendPreference } from '../backend';
import { formatConfigProblems, parseConfig } from '../config/parse';
import { isPresetName, presets } from '../config/presets';
import { assertWithinMemoryBudget, MemoryBudgetError } from '../config/resourceEstimate';
import type { ExperimentConfig } from '../config/schema';
import { comparedConfigs, type VariantOverrides } from '../config/compareVariants';
import {
  checkSchedule,
  configAt,
  describeChange,
  type ScheduledChange,
} from '../config/knobSchedule';
import { decodeHash } from '../config/urlCodec';
import { runExperiment } from '../experiment';
import { initBackendFor } from '../experimentCalibration';
import {
  buildLabOutput,
  csvRows,
  fileSizeProblem,
  jsonNestingProblem,
  parseJsonData,
  serialiseLabOutput,
  type LabOutput,
  type LabRun,
} from '../exportFile';
import { formatInterval } from '../metrics/aggregate';
import type { OracleRun } from '../policies/oracle';
import type { IterationReport, Phase } from '../report';

/** Where the lab prints: one call per line (the CLI passes console.log / console.error). */
export interface LabIo {
  readonly out: (line: string) => void;
  readonly err: (line: string) => void;
}

export interface LabHooks {
  /** Shared across calls by callers running many configs on one world (the oracle costs seconds). */
  readonly oracleCache?: Map<string, OracleRun>;
  /** Called with every report as it arrives. */
  readonly onReport?: (seed: number, report: IterationReport) => void;
  /**
   * Stops the run after the event in progress, as a user stops a run in the app: the reports so
   * far are kept, summarised and written as usual, and the result says `stopped`. (Not wired to
   * Ctrl-C: tsx, which runs the CLI, kills a child that is busy computing when it is signalled.)
   */
  readonly signal?: AbortSignal;
}

export interface LabFailure {
  /** 'setup': the run was refused or failed before its first phase (the loop's own checks). */
  readonly stage: Phase | 'setup';
  readonly seed: number;
  /** The iteration that was running; 0 for setup. */
  readonly iteration: number;
  readonly message: string;
}

export interface LabResult {
  readonly code: 0 | 1 | 2;
  /** The signal stopped the run before its last iteration. */
  readonly stopped: boolean;
  /** What was written (or would be, without --out); null unless every run finished. */
  readonly output: LabOutput | null;
  /** With a comparison link, one output per compared config (the base first): `output` is the first. */
  readonly outputs: readonly LabOutput[];
  readonly failure: LabFailure | null;
}

interface LabArguments {
  readonly source: { kind: 'preset' | 'config' | 'url'; value: string };
  readonly iterations?: number;
  readonly seed?: number;
  /** Undefined: the link's `seeds=`, else 1. */
  readonly seeds?: number;
  readonly backend?: BackendPreference;
  readonly out?: string;
  readonly csv?: string;
  readonly quiet: boolean;
}

const USAGE = `usage: npm run lab -- (--preset NAME | --config FILE | --url 'HASH') [--iterations N] [--seed S]
                      [--seeds K] [--backend wasm|cpu] [--out FILE] [--csv FILE] [--quiet]
a link's seeds= gives the seed count unless --seeds does; its cmp= configs run in turn, one --out/--csv file each
a results file (--config) is run from its config, replaying its schedule of live changes
presets: ${Object.keys(presets).join(', ')}`;

class UsageError extends Error {}

/** A config refused before anything runs: the message is the whole story, no usage text. */
class RefusedError extends Error {}

function parseArguments(argv: readonly string[]): LabArguments {
  const values = new Map<string, string>();
  let quiet = false;
  for (let i = 0; i < argv.length; i++) {
    const flag = argv[i];
    if (flag === '--quiet') {
      quiet = true;
      continue;
    }
    if (!flag.startsWith('--')) throw new UsageError(`unexpected argument "${flag}"`);
    const value = argv[i + 1];
    if (value === undefined) throw new UsageError(`${flag} needs a value`);
    values.set(flag.slice(2), value);
    i++;
  }
  const sources = (['preset', 'config', 'url'] as const).filter((kind) => values.has(kind));
  if (sources.length !== 1) throw new UsageError('give exactly one of --preset, --config, --url');
  const known = new Set([
    'preset',
    'config',
    'url',
    'iterations',
    'seed',
    'seeds',
    'backend',
    'out',
    'csv',
  ]);
  for (const key of values.keys())
    if (!known.has(key)) throw new UsageError(`unknown option --${key}`);
  const integer = (key: string, min: number): number | undefined => {
    const raw = values.get(key);
    if (raw === undefined) return undefined;
    const value = Number(raw);
    if (!Number.isInteger(value) || value < min)
      throw new UsageError(`--${key} must be an integer ≥ ${min}, got "${raw}"`);
    return value;
  };
  const backend = values.get('backend');
  if (backend !== undefined && !['auto', 'wasm', 'cpu', 'webgl', 'webgpu'].includes(backend)) {
    throw new UsageError(
      `--backend must be one of auto, wasm, cpu, webgl, webgpu, got "${backend}"`,
    );
  }
  return {
    source: { kind: sources[0], value: values.get(sources[0]) ?? '' },
    iterations: integer('iterations', 1),
    seed: integer('seed', 0),
    seeds: integer('seeds', 1),
    backend: backend as BackendPreference | undefined,
    out: values.get('out'),
    csv: values.get('csv'),
    quiet,
  };
}

/** What the lab runs: one config, or a link's compared configs (the base first), on `seeds` seeds. */
interface LabPlan {
  readonly configs: readonly ExperimentConfig[];
  readonly seeds: number;
  /** A results file's live changes, replayed on every seed ([] otherwise). */
  readonly schedule: readonly ScheduledChange[];
}

function loadPlan(args: LabArguments, io: LabIo): LabPlan {
  let input: unknown;
  let compare: VariantOverrides[] = [];
  let linkSeeds = 1;
  let scheduleInput: unknown = [];
  const { kind, value } = args.source;
  if (kind === 'preset') {
    if (!isPresetName(value))
      throw new UsageError(`unknown preset "${value}" (known: ${Object.keys(presets).join(', ')})`);
    input = presets[value].config;
  } else if (kind === 'config') {
    let text: string;
    try {
      // Checked before reading, so a huge file is refused without being loaded.
      const tooBig = fileSizeProblem(statSync(value).size);
      if (tooBig !== null) throw new RefusedError(`config file ${value} is refused: ${tooBig}`);
      text = readFileSync(value, 'utf8');
    } catch (error) {
      if (error instanceof RefusedError) throw error;
      throw new UsageError(`cannot read config file ${value}: ${(error as Error).message}`);
    }
    const tooDeep = jsonNestingProblem(text);
    if (tooDeep !== null) throw new RefusedError(`config file ${value} is refused: ${tooDeep}`);
    try {
      input = parseJsonData(text);
    } catch (error) {
      throw new UsageError(`config file ${value} is not valid JSON: ${(error as Error).message}`);
    }
    const isObject = (json: unknown): json is object =>
      typeof json === 'object' && json !== null && !Array.isArray(json);
    if (!isObject(input)) {
      throw new UsageError(
        `config file ${value} must hold a JSON object (a config, or a lab output with "config")`,
      );
    }
    // A lab output file holds its config under "config", and its live changes under "schedule"
    // (a file of just those two is read the same way).
    if ('config' in input && ('runs' in input || 'schedule' in input)) {
      if ('schedule' in input) scheduleInput = input.schedule;
      input = input.config;
      if (!isObject(input))
        throw new UsageError(`config file ${value}: its "config" must be a JSON object`);
    }
  } else {
    const decoded = decodeHash(value);
    for (const notice of decoded.notices) io.err(`url: ${notice.key}: ${notice.message}`);
    input = decoded.config;
    compare = decoded.compare;
    linkSeeds = decoded.seeds;
  }
  const overrides = {
    ...(args.iterations === undefined ? {} : { iterations: args.iterations }),
    ...(args.seed === undefined ? {} : { seed: args.seed }),
    ...(args.backend === undefined ? {} : { backend: args.backend }),
  };
  const parsed = parseConfig({ ...(input as object), ...overrides });
  if (!parsed.ok) {
    throw new UsageError(`the config is not valid:\n${formatConfigProblems(parsed.problems)}`);
  }
  const schedule = checkSchedule(parsed.config, scheduleInput);
  if (!schedule.ok) {
    throw new UsageError(
      `the schedule of live changes is not valid:\n${schedule.problems.map((p) => `  ${p}`).join('\n')}`,
    );
  }
  // The command line's overrides hold for every compared config, as the base's own knobs do.
  const configs = comparedConfigs(parsed.config, compare);
  try {
    // Each config runs alone, one after another: each must fit the budget by itself, as must
    // every config a schedule goes on with.
    for (const config of configs) assertWithinMemoryBudget(config);
    for (const change of schedule.schedule)
      assertWithinMemoryBudget(configAt(parsed.config, schedule.schedule, change.iteration));
  } catch (error) {
    if (error instanceof MemoryBudgetError) throw new RefusedError(error.message);
    throw error;
  }
  return { configs, seeds: args.seeds ?? linkSeeds, schedule: schedule.schedule };
}

/** `x.json` for the base, `x.config-2.json` for the second compared config, and so on. */
function pathForConfig(path: string, index: number): string {
  if (index === 0) return path;
  const dot = path.lastIndexOf('.');
  const slash = Math.max(path.lastIndexOf('/'), path.lastIndexOf('\\'));
  const suffix = `.config-${index + 1}`;
  return dot > slash ? `${path.slice(0, dot)}${suffix}${path.slice(dot)}` : `${path}${suffix}`;
}

function progressLine(seed: number, report: IterationReport): string {
  const r = report.returns;
  const cells = [
    `seed ${seed}`,
    `it ${String(report.iteration).padStart(3)}`,
    `real ${fixed(r.real)}`,
    `sim ${fixed(r.sim)}`,
    `oracle ${r.oracle === null ? 'n/a' : fixed(r.oracle)}`,
    `gap ${fixed(report.gap)}`,
    `onPolicyErr ${report.modelError.onPolicy.toPrecision(3)}`,
    `${report.seconds.toFixed(2)} s`,
  ];
  return cells.join('  ');
}

function fixed(value: number): string {
  return value.toFixed(1).padStart(8);
}

const consoleIo: LabIo = { out: (line) => console.log(line), err: (line) => console.error(line) };

/** Runs the lab on command-line arguments; never throws for a bad argument, config or run. */
export async function runLab(
  argv: readonly string[],
  io: LabIo = consoleIo,
  hooks: LabHooks = {},
): Promise<LabResult> {
  let plan: LabPlan;
  let args: LabArguments;
  try {
    args = parseArguments(argv);
    plan = loadPlan(args, io);
  } catch (error) {
    if (error instanceof UsageError) io.err(`lab: ${error.message}\n${USAGE}`);
    else io.err(`lab: ${error instanceof Error ? error.message : String(error)}`);
    return { code: 2, stopped: false, output: null, outputs: [], failure: null };
  }
  // One backend for the whole comparison, chosen on the base's workload, as the app's worker does.
  const choice = await initBackendFor(plan.configs[0]);
  io.out(`backend: ${choice.reason}`);
  const oracleCache = hooks.oracleCache ?? new Map<string, OracleRun>();
  const compared = plan.configs.length > 1;
  const outputs: LabOutput[] = [];
  let code: LabResult['code'] = 0;
  for (const [index, config] of plan.configs.entries()) {
    if (compared)
      io.out(
        `${index === 0 ? '' : '\n'}config ${index + 1} of ${plan.configs.length}${index === 0 ? ' (the base)' : ''}`,
      );
    const outcome = await runConfig(
      config,
      index === 0 ? plan.schedule : [],
      plan.seeds,
      choice,
      {
        ...args,
        out: args.out === undefined ? undefined : pathForConfig(args.out, index),
        csv: args.csv === undefined ? undefined : pathForConfig(args.csv, index),
      },
      io,
      { ...hooks, oracleCache },
    );
    if (outcome.failure !== null) return { ...outcome, output: outputs[0] ?? null, outputs };
    if (outcome.output !== null) outputs.push(outcome.output);
    if (outcome.code !== 0) code = outcome.code;
    if (outcome.stopped)
      return { code, stopped: true, output: outputs[0] ?? null, outputs, failure: null };
  }
  const complete = outputs.length === plan.configs.length;
  return { code, stopped: false, output: complete ? outputs[0] : null, outputs, failure: null };
}

type ConfigOutcome = Omit<LabResult, 'outputs'>;

/** One config on `seeds` seeds: progress lines, the closing table, the files. */
async function runConfig(
  config: ExperimentConfig,
  schedule: readonly ScheduledChange[],
  seeds: number,
  choice: BackendChoice,
  args: LabArguments,
  io: LabIo,
  hooks: LabHooks & { readonly oracleCache: Map<string, OracleRun> },
): Promise<ConfigOutcome> {
  const { oracleCache } = hooks;
  const runs: LabRun[] = [];
  const started = performance.now();
  let stopped = false;
  let divergedSeeds = 0;
  for (let k = 0; k < seeds && !stopped; k++) {
    const seed = config.seed + k;
    const reports: IterationReport[] = [];
    let stage: LabFailure['stage'] = 'setup';
    let iteration = 0;
    const run = runExperiment({ ...config, seed }, { oracleCache });
    try {
      let given: ExperimentConfig | undefined;
      for (let next = await run.next(); next.done !== true; next = await run.next(given)) {
        const event = next.value;
        given = undefined;
        if (event.kind === 'phase') {
          stage = event.phase;
          iteration = event.iteration;
        } else if (event.kind === 'report') {
          reports.push(event.report);
          if (!args.quiet) {
            for (const change of event.report.changes ?? [])
              io.out(`seed ${seed}  from it ${event.report.iteration}: ${describeChange(change)}`);
            io.out(progressLine(seed, event.report));
          }
          hooks.onReport?.(seed, event.report);
          // The schedule's changes for the next iteration, given during this one (as the app's
          // worker gives them), so the run goes on with them from there.
          const upcoming = event.report.iteration + 1;
          if (schedule.some((change) => change.iteration === upcoming)) {
            given = { ...configAt(config, schedule, upcoming), seed };
          }
        } else if (event.kind === 'backendFallback') {
          // The loop has moved on by itself: say so, the reports then name the new backend.
          io.err(
            `lab: seed ${seed}: the ${event.failed} backend failed mid-run at iteration ${event.iteration}${event.phase === null ? '' : ` in ${event.phase}`} (${event.message}); continued on ${event.backend} from the last good iteration`,
          );
        } else {
          // Headless, nobody can change a knob and resume: the seed ends at its last good report.
          divergedSeeds++;
          io.err(
            `lab: seed ${seed} diverged at iteration ${event.iteration} in ${event.phase}: ${event.message}. Its ${reports.length} report(s) so far are kept; the seed stops here.`,
          );
          break;
        }
        if (hooks.signal?.aborted === true) {
          stopped = true;
          io.err(
            `lab: stopped during seed ${seed} after ${reports.length} of ${config.iterations} iterations`,
          );
          break;
        }
      }
    } catch (error) {
      const message = error instanceof Error ? error.message : String(error);
      io.err(
        stage === 'setup'
          ? `lab: the run (seed ${seed}) did not start: ${message}`
          : `lab: the run (seed ${seed}) failed at iteration ${iteration} while in ${stage}: ${message}`,
      );
      if (stage !== 'setup' && error instanceof Error && error.stack !== undefined)
        io.err(error.stack);
      return {
        code: 1,
        stopped: false,
        output: null,
        failure: { stage, seed, iteration, message },
      };
    } finally {
      // Frees the run's tensors when the loop was left early (a no-op once it has ended).
      await run.return(undefined);
    }
    if (reports.length > 0) runs.push({ seed, reports });
  }
  if (runs.length === 0)
    return { code: divergedSeeds > 0 ? 1 : 0, stopped, output: null, failure: null };
  const output = buildLabOutput(config, choice, runs, schedule);
  const { summary } = output;
  io.out(
    stopped
      ? `\nlast report of each of ${runs.length} seed(s) (stopped early), mean ± 95 % interval:`
      : `\nlast iteration (${config.iterations - 1}) over ${seeds} seed(s), mean ± 95 % interval:`,
  );
  io.out('| metric | value |\n|---|---|');
  for (const [name, interval] of Object.entries(summary))
    io.out(`| ${name} | ${formatInterval(interval)} |`);
  io.out(`\nwall time: ${((performance.now() - started) / 1000).toFixed(1)} s`);
  if (args.out !== undefined) {
    writeFileSync(args.out, serialiseLabOutput(output));
    io.out(`wrote ${args.out}`);
  }
  if (args.csv !== undefined) {
    writeFileSync(args.csv, csvRows(runs));
    io.out(`wrote ${args.csv}`);
  }
  return { code: divergedSeeds > 0 ? 1 : 0, stopped, output, failure: null };
}
