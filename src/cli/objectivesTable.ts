/**
 * The objectives table of docs/RESULTS.md, from lab outputs of the same world and budget: one
 * row per file, each column the last iteration's mean ± 95 % interval over seeds, then each row's
 * ratio of strategic error against its baseline's (paired by seed, as the seeds are shared): the
 * first file's, or the one `pairs` names for it.
 */
import { formatInterval, meanInterval, median } from '../metrics/aggregate';
import type { LabOutput } from '../exportFile';
import { normalisedReturn } from '../exportFile';
import {
  adversaryFigures,
  classifierAccuracy,
  maximinFigures,
  type IterationReport,
} from '../report';

export interface NamedOutput {
  readonly name: string;
  readonly output: LabOutput;
}

/** A row compared against its baseline, by name. */
export interface Pair {
  readonly row: string;
  readonly baseline: string;
}

const COLUMNS: readonly [
  string,
  (last: IterationReport, run: readonly IterationReport[]) => number | null,
][] = [
  ['strategic error', (r) => r.modelError.strategic],
  ['on-policy error', (r) => r.modelError.onPolicy],
  ['uniform error', (r) => r.modelError.uniform],
  ['normalised real return', (r) => normalisedReturn(r)],
  ['gap (sim − real)', (r) => r.gap],
  ['adversarial error', (r) => r.modelError.adversarial],
  // Every iteration's seconds: the run's wall time, setup (the shared oracle) aside.
  ['wall seconds', (_r, run) => run.reduce((sum, report) => sum + report.seconds, 0)],
];

const MECHANISMS: readonly [string, (last: IterationReport) => number | null | undefined][] = [
  ["adversary's imagined error return", (r) => adversaryFigures(r.objective)?.imaginedErrorReturn],
  [
    'critic error the adversary meets (real)',
    (r) => adversaryFigures(r.objective)?.realCriticError,
  ],
  ['classifier accuracy (MnM)', (r) => classifierAccuracy(r.objective)],
  ['value drop (Stackelberg)', (r) => maximinFigures(r.objective)?.valueDrop],
  ['holdout loss increase (Stackelberg)', (r) => maximinFigures(r.objective)?.holdoutLossIncrease],
];

/**
 * Each config paired with the one whose name has `versus` in place of its own: an axis value
 * (KEY=VALUE in place of KEY=…), or a variant's name (a name without `=`, in place of the
 * config's variant, which comes first in its name).
 */
export function pairsVersus(names: readonly string[], versus: string): Pair[] {
  const isAxisValue = versus.includes('=');
  const key = `${versus.slice(0, versus.indexOf('='))}=`;
  const known = new Set(names);
  const pairs: Pair[] = [];
  for (const row of names) {
    const parts = row.split(',');
    const at = isAxisValue
      ? parts.findIndex((part) => part.startsWith(key) && part !== versus)
      : parts[0].includes('=') || parts[0] === versus
        ? -1
        : 0;
    if (at < 0) continue;
    const baseline = parts.map((part, i) => (i === at ? versus : part)).join(',');
    if (known.has(baseline)) pairs.push({ row, baseline });
  }
  return pairs;
}

export function objectivesTable(outputs: readonly NamedOutput[], pairs?: readonly Pair[]): string {
  if (outputs.length === 0) throw new Error('objectives table: no lab output given');
  const lines = [
    `| objective | seeds | ${COLUMNS.map(([name]) => name).join(' | ')} |`,
    `|---|---:|${COLUMNS.map(() => '---:').join('|')}|`,
  ];
  for (const { name, output } of outputs) {
    const runs = output.runs.map((run) => run.reports);
    const cells = COLUMNS.map(([, read]) => {
      const values = runs
        .map((run) => read(run[run.length - 1], run))
        .filter((v): v is number => v !== null);
      return formatInterval(meanInterval(values));
    });
    lines.push(`| ${name} | ${runs.length} | ${cells.join(' | ')} |`);
  }
  if (
    outputs.some(({ output }) =>
      output.runs.some((run) => run.reports.some((r) => r.objective !== null)),
    )
  ) {
    lines.push(
      '',
      "What each objective's own mechanism measured (last iteration, mean ± 95 % over seeds; n/a: not this objective's):",
      '',
    );
    lines.push(
      `| objective | ${MECHANISMS.map(([name]) => name).join(' | ')} |`,
      `|---|${MECHANISMS.map(() => '---:').join('|')}|`,
    );
    for (const { name, output } of outputs) {
      const lastReports = output.runs.map((run) => run.reports[run.reports.length - 1]);
      const cells = MECHANISMS.map(([, read]) =>
        formatInterval(
          meanInterval(
            lastReports.map(read).filter((v): v is number => v !== null && v !== undefined),
          ),
        ),
      );
      lines.push(`| ${name} | ${cells.join(' | ')} |`);
    }
  }
  const [first, ...others] = outputs;
  const comparisons = pairs ?? others.map(({ name }) => ({ row: name, baseline: first.name }));
  if (comparisons.length > 0) {
    const named = new Map(outputs.map(({ name, output }) => [name, output]));
    const oneBaseline = comparisons.every(({ baseline }) => baseline === comparisons[0].baseline);
    lines.push(
      '',
      `Strategic error of ${oneBaseline ? comparisons[0].baseline : 'the baseline'} ÷ that of each row, paired by seed (> 1: the row errs less where the oracle goes), and the median gap (sim − real) of the baseline ÷ the row's:`,
      '',
    );
    lines.push(
      `| objective |${oneBaseline ? '' : ' baseline |'} pairs | strategic-error ratio | its geometric mean (95 % interval) | median gap ratio |`,
      `|---|${oneBaseline ? '' : '---|'}---:|---:|---:|---:|`,
    );
    for (const { row, baseline } of comparisons) {
      const rowOutput = named.get(row);
      const baseOutput = named.get(baseline);
      if (rowOutput === undefined || baseOutput === undefined) {
        throw new Error(`objectives table: no output named "${rowOutput ? baseline : row}"`);
      }
      const base = lastBySeed(baseOutput);
      const ratios: number[] = [];
      for (const [seed, last] of lastBySeed(rowOutput)) {
        const reference = base.get(seed)?.modelError.strategic;
        const value = last.modelError.strategic;
        if (reference !== undefined && reference !== null && value !== null && value > 0)
          ratios.push(reference / value);
      }
      const gapRatio = median(gaps(baseOutput)) / median(gaps(rowOutput));
      lines.push(
        `| ${row} |${oneBaseline ? '' : ` ${baseline} |`} ${ratios.length} | ${formatInterval(meanInterval(ratios))} | ${geometricInterval(ratios)} | ${Number.isFinite(gapRatio) ? Number(gapRatio.toPrecision(3)) : 'n/a'} |`,
      );
    }
  }
  return lines.join('\n');
}

/**
 * A ratio's geometric mean with the 95 % interval of its log: ratios are skewed (9.6 and 0.8
 * average to 5.2), their logs are not, and a geometric interval above 1 is the paired claim.
 */
function geometricInterval(ratios: readonly number[]): string {
  const logs = meanInterval(ratios.map(Math.log));
  if (!Number.isFinite(logs.mean)) return 'n/a';
  const show = (x: number) => Number(x.toPrecision(3));
  if (logs.count < 2) return String(show(Math.exp(logs.mean)));
  return `${show(Math.exp(logs.mean))} (${show(Math.exp(logs.mean - logs.halfWidth))} … ${show(Math.exp(logs.mean + logs.halfWidth))})`;
}

function lastBySeed(output: LabOutput): Map<number, IterationReport> {
  return new Map(output.runs.map((run) => [run.seed, run.reports[run.reports.length - 1]]));
}

function gaps(output: LabOutput): number[] {
  return [...lastBySeed(output).values()].map((last) => last.gap).filter(Number.isFinite);
}

/** What `--per-seed` can print: the last iteration's value of each seed's run. */
export const PER_SEED_METRICS = {
  real: (last: IterationReport) => last.returns.real,
  gap: (last: IterationReport) => last.gap,
  strategic: (last: IterationReport) => last.modelError.strategic,
} as const;

export type PerSeedMetric = keyof typeof PER_SEED_METRICS;

/** One row per output, one column per seed: the metric at each run's last iteration. */
export function perSeedTable(outputs: readonly NamedOutput[], metric: PerSeedMetric): string {
  const seeds = [
    ...new Set(outputs.flatMap(({ output }) => output.runs.map((run) => run.seed))),
  ].sort((a, b) => a - b);
  const lines = [
    `${metric} at the last iteration, per seed:`,
    '',
    `| objective | ${seeds.map((seed) => `seed ${seed}`).join(' | ')} |`,
    `|---|${seeds.map(() => '---:').join('|')}|`,
  ];
  for (const { name, output } of outputs) {
    const bySeed = lastBySeed(output);
    const cells = seeds.map((seed) => {
      const last = bySeed.get(seed);
      const value = last === undefined ? null : PER_SEED_METRICS[metric](last);
      if (value === null) return '–';
      // Returns and gaps to a tenth (−0.0 is a car that never left the valley), errors to 3 digits.
      if (metric === 'strategic') return String(Number(value.toPrecision(3)));
      return Math.abs(value) >= 100 ? value.toFixed(0) : value.toFixed(1);
    });
    lines.push(`| ${name} | ${cells.join(' | ')} |`);
  }
  return lines.join('\n');
}
