/**
 * The objectives table of docs/RESULTS.md, from lab outputs of the same world and budget: one
 * row per file, each column the last iteration's mean ± 95 % interval over seeds, then each row's
 * ratio of strategic error against the first file's (paired by seed, as the seeds are shared).
 */
import { formatInterval, meanInterval } from '../metrics/aggregate';
import type { LabOutput } from '../exportFile';
import { normalisedReturn } from '../exportFile';
import { adversaryFigures, classifierAccuracy, maximinFigures, type IterationReport } from '../report';

export interface NamedOutput {
  readonly name: string;
  readonly output: LabOutput;
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
  ['critic error the adversary meets (real)', (r) => adversaryFigures(r.objective)?.realCriticError],
  ['classifier accuracy (MnM)', (r) => classifierAccuracy(r.objective)],
  ['value drop (Stackelberg)', (r) => maximinFigures(r.objective)?.valueDrop],
  ['holdout loss increase (Stackelberg)', (r) => maximinFigures(r.objective)?.holdoutLossIncrease],
];

export function objectivesTable(outputs: readonly NamedOutput[]): string {
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
  const [baseline, ...others] = outputs;
  if (others.length > 0) {
    lines.push(
      '',
      `Strategic error of ${baseline.name} ÷ that of each row, paired by seed (> 1: the row errs less where the oracle goes):`,
      '',
    );
    lines.push('| objective | pairs | ratio |', '|---|---:|---:|');
    const strategicBySeed = (output: LabOutput) =>
      new Map(
        output.runs.map((run) => [
          run.seed,
          run.reports[run.reports.length - 1].modelError.strategic,
        ]),
      );
    const base = strategicBySeed(baseline.output);
    for (const { name, output } of others) {
      const ratios: number[] = [];
      for (const [seed, value] of strategicBySeed(output)) {
        const reference = base.get(seed);
        if (reference !== undefined && reference !== null && value !== null && value > 0)
          ratios.push(reference / value);
      }
      lines.push(`| ${name} | ${ratios.length} | ${formatInterval(meanInterval(ratios))} |`);
    }
  }
  return lines.join('\n');
}
