/**
 * The results file (src/exportFile.ts): what is exported parses back to the same runs, and a
 * malformed, truncated, huge or hostile file is refused with a message naming the problem — a
 * string holding markup is data, never code.
 */
import { describe, expect, it } from 'vitest';
import { configAt, scheduleOf } from '../src/config/knobSchedule';
import { defaultConfig, parseConfig } from '../src/config/parse';
import type { ExperimentConfig } from '../src/config/schema';
import {
  buildLabOutput,
  CSV_HEADER,
  csvRows,
  exportFileName,
  MAX_FILE_BYTES,
  parseLabOutput,
  serialiseLabOutput,
  type LabOutputParseResult,
} from '../src/exportFile';
import { iterationReportSchema } from '../src/report';
import { report } from './fixtures/report';

const config: ExperimentConfig = { ...defaultConfig, seed: 7, iterations: 5 };

const reports = [report(0), report(1), report(2)];
const backend = {
  backend: 'wasm' as const,
  reason: 'forced: wasm',
  timings: {},
  failures: { webgpu: 'no adapter' },
};
const exported = serialiseLabOutput(buildLabOutput(config, backend, [{ seed: 7, reports }]));

/** The exported file as a plain object, to break one thing at a time. */
const fileObject = () =>
  JSON.parse(exported) as Record<string, unknown> & {
    config: Record<string, unknown>;
    runs: { seed: number; reports: Record<string, unknown>[] }[];
  };

function problems(result: LabOutputParseResult): string {
  expect(result.ok).toBe(false);
  return result.ok ? '' : result.problems.join('\n');
}

describe('results file', () => {
  it('round-trips: export → parse gives back the config, seed, backend and every report', () => {
    for (const r of reports) expect(iterationReportSchema.safeParse(r).success).toBe(true);
    const result = parseLabOutput(exported);
    if (!result.ok) throw new Error(result.problems.join('\n'));
    expect(result.output.config).toEqual(config);
    expect(result.output.backend).toEqual(backend);
    expect(result.output.runs).toEqual([{ seed: 7, reports }]);
    expect(result.output.summary['real return']).toEqual({
      mean: reports[2].returns.real,
      halfWidth: 0,
      count: 1,
    });
    // The lab reads a file with "config" and "runs" as that config: the same config validates.
    const asLabInput = JSON.parse(exported) as { config: unknown; runs: unknown };
    expect(parseConfig(asLabInput.config)).toEqual({ ok: true, config });
  });

  it('writes one CSV row per report, numbers only, empty cells for absent values', () => {
    const csv = csvRows([
      { seed: 7, reports },
      { seed: 8, reports: [report(0)] },
    ]);
    const rows = csv.trim().split('\n');
    expect(rows[0]).toBe(CSV_HEADER);
    expect(rows).toHaveLength(5);
    const width = CSV_HEADER.split(',').length;
    for (const row of rows.slice(1)) {
      const cells = row.split(',');
      expect(cells).toHaveLength(width);
      expect(cells.every((cell) => cell === '' || Number.isFinite(Number(cell)))).toBe(true);
    }
    expect(rows[1].split(',').slice(0, 4)).toEqual(['7', '0', '200', '-900']);
    // modelHoldout is null in these reports.
    expect(rows[1].split(',')[CSV_HEADER.split(',').indexOf('modelHoldout')]).toBe('');
  });

  it('names exports from the config with safe characters only', () => {
    expect(exportFileName(config, 7, 'json')).toMatch(/^mismatch-lab_[A-Za-z0-9._-]+_seed7\.json$/);
  });

  it('refuses truncated JSON and says it looks truncated', () => {
    const message = problems(parseLabOutput(exported.slice(0, Math.floor(exported.length / 2))));
    expect(message).toMatch(/not complete JSON.*truncated|not valid JSON/);
    expect(problems(parseLabOutput('{"config": {'))).toMatch(/truncated/);
  });

  it('refuses empty text, non-JSON and JSON that is not an object', () => {
    expect(problems(parseLabOutput(''))).toMatch(/empty/);
    expect(problems(parseLabOutput('hello'))).toMatch(/not valid JSON/);
    expect(problems(parseLabOutput('[1, 2, 3]'))).toMatch(/JSON object.*found an array/);
    expect(problems(parseLabOutput('42'))).toMatch(/found a number/);
    expect(problems(parseLabOutput('null'))).toMatch(/found null/);
    expect(problems(parseLabOutput('"a string"'))).toMatch(/found a string/);
    expect(problems(parseLabOutput(undefined))).toMatch(/expected the file's text/);
  });

  it('refuses an object without runs or config, naming the missing key', () => {
    const noRuns = fileObject();
    delete (noRuns as Record<string, unknown>).runs;
    expect(problems(parseLabOutput(JSON.stringify(noRuns)))).toMatch(/^runs: /m);
    const noConfig = fileObject();
    delete (noConfig as Record<string, unknown>).config;
    expect(problems(parseLabOutput(JSON.stringify(noConfig)))).toMatch(/^config: /m);
    const noReports = fileObject();
    noReports.runs[0].reports = [];
    expect(problems(parseLabOutput(JSON.stringify(noReports)))).toMatch(
      /runs\.0\.reports: .*at least one report/,
    );
  });

  it('refuses wrong types by their dotted path', () => {
    const file = fileObject();
    (file.runs[0].reports[1].returns as Record<string, unknown>).real = 'a lot';
    file.runs[0].seed = -1;
    const message = problems(parseLabOutput(JSON.stringify(file)));
    expect(message).toMatch(/^runs\.0\.reports\.1\.returns\.real: /m);
    expect(message).toMatch(/^runs\.0\.seed: /m);
  });

  it('refuses a report missing a field', () => {
    const file = fileObject();
    delete file.runs[0].reports[2].gap;
    expect(problems(parseLabOutput(JSON.stringify(file)))).toMatch(/^runs\.0\.reports\.2\.gap: /m);
  });

  it('refuses a bad config with parseConfig’s paths', () => {
    const file = fileObject();
    file.config.model = { ...(file.config.model as object), width: -3 };
    expect(problems(parseLabOutput(JSON.stringify(file)))).toMatch(/^config\.model\.width: /m);
  });

  it('refuses reports out of order, and grids or episodes a viewer could not draw', () => {
    const outOfOrder = fileObject();
    outOfOrder.runs[0].reports[1].iteration = 9;
    expect(problems(parseLabOutput(JSON.stringify(outOfOrder)))).toMatch(
      /runs\.0\.reports\.1\.iteration: expected 1/,
    );
    const hugeGrid = fileObject();
    (hugeGrid.runs[0].reports[0].grid as Record<string, unknown>).size = 1_000_000_000;
    expect(problems(parseLabOutput(JSON.stringify(hugeGrid)))).toMatch(/grid\.size: .*maximum/);
    const shortGrid = fileObject();
    (shortGrid.runs[0].reports[0].grid as Record<string, unknown>).error = [0.1];
    expect(problems(parseLabOutput(JSON.stringify(shortGrid)))).toMatch(/grid\.error: 1 cells/);
    const tooMany = fileObject();
    tooMany.config.iterations = 2;
    expect(problems(parseLabOutput(JSON.stringify(tooMany)))).toMatch(/more than the config's 2/);
  });

  it('refuses oversized input before parsing it', () => {
    expect(problems(parseLabOutput(exported, { bytes: MAX_FILE_BYTES + 1 }))).toMatch(
      /above the 20\.0 MB limit/,
    );
    const big = ' '.repeat(MAX_FILE_BYTES) + exported;
    expect(problems(parseLabOutput(big))).toMatch(/MB, above the 20\.0 MB limit/);
    expect(problems(parseLabOutput(exported, { maxBytes: 100 }))).toMatch(/limit/);
  });

  it('keeps a <script>-laden string as data: refused where it does not belong, plain text where it does', () => {
    const script =
      '<script>globalThis.pwned = true</script><img src=x onerror="globalThis.pwned=true">';
    // As a config value it is refused, and the message quotes it only as text.
    const inConfig = fileObject();
    (inConfig.config.env as Record<string, unknown>).id = script;
    expect(problems(parseLabOutput(JSON.stringify(inConfig)))).toMatch(/^config\.env\.id: /m);
    // As a label (any string is allowed there) it is kept verbatim, as a string.
    const inLabel = fileObject();
    (inLabel.runs[0].reports[0].grid as Record<string, unknown>).xLabel = script;
    const result = parseLabOutput(JSON.stringify(inLabel));
    if (!result.ok) throw new Error(result.problems.join('\n'));
    expect(result.output.runs[0].reports[0].grid.xLabel).toBe(script);
    expect((globalThis as Record<string, unknown>).pwned).toBeUndefined();
  });

  it('leaves __proto__ keys harmless: no prototype is changed, nothing is polluted', () => {
    const file = exported.replace(
      /^\{/,
      '{"__proto__": {"polluted": "yes"}, "constructor": {"prototype": {"polluted": "yes"}},',
    );
    const withNested = file.replace(
      '"summary": {',
      '"summary": {"__proto__": {"polluted": "yes"},',
    );
    const result = parseLabOutput(withNested);
    if (!result.ok) throw new Error(result.problems.join('\n'));
    expect(({} as Record<string, unknown>).polluted).toBeUndefined();
    expect(Object.getPrototypeOf(result.output)).toBe(Object.prototype);
    expect(Object.getPrototypeOf(result.output.summary)).toBe(Object.prototype);
    expect((result.output.summary as Record<string, unknown>).polluted).toBeUndefined();
    // In the config (strict), it is dropped before validation: the config is unchanged.
    const inConfig = exported.replace('"config": {', '"config": {"__proto__": {"iterations": 1},');
    const parsed = parseLabOutput(inConfig);
    if (!parsed.ok) throw new Error(parsed.problems.join('\n'));
    expect(parsed.output.config).toEqual(config);
    expect(Object.getPrototypeOf(parsed.output.config)).toBe(Object.prototype);
  });

  it('lists at most a few problems and counts the rest', () => {
    const file = fileObject();
    for (const r of file.runs[0].reports) {
      delete r.gap;
      delete r.bound;
      delete r.seconds;
      delete r.backend;
    }
    const result = parseLabOutput(JSON.stringify(file));
    expect(result.ok).toBe(false);
    if (result.ok) return;
    expect(result.problems.length).toBeLessThanOrEqual(9);
    expect(result.problems[result.problems.length - 1]).toMatch(/and \d+ more problem/);
  });
});

describe('results file: the schedule of live changes', () => {
  // A 3-iteration run whose model learning rate went to 0.003 at iteration 1, and whose
  // iterations were raised to 6 at iteration 2 (it reported 5 times).
  const short = { ...defaultConfig, seed: 7, iterations: 3 };
  const changed = [0, 1, 2, 3, 4].map((i) =>
    i === 1
      ? { ...report(i), changes: [{ key: 'lr' as const, from: 0.001, to: 0.003 }] }
      : i === 2
        ? { ...report(i), changes: [{ key: 'it' as const, from: 3, to: 6 }] }
        : report(i),
  );
  const schedule = scheduleOf(changed);

  it('records each change with its iteration, and reads it back', () => {
    expect(schedule).toEqual([
      { iteration: 1, key: 'lr', from: 0.001, to: 0.003 },
      { iteration: 2, key: 'it', from: 3, to: 6 },
    ]);
    const text = serialiseLabOutput(
      buildLabOutput(short, null, [{ seed: 7, reports: changed }], schedule),
    );
    expect(JSON.parse(text)).toMatchObject({ config: { iterations: 3 }, schedule });
    const result = parseLabOutput(text);
    if (!result.ok) throw new Error(result.problems.join('\n'));
    // The config the run started from, the changes beside it, five reports for six iterations.
    expect(result.output.config).toEqual(short);
    expect(result.output.schedule).toEqual(schedule);
    expect(result.output.runs[0].reports[1].changes).toEqual([
      { key: 'lr', from: 0.001, to: 0.003 },
    ]);
    expect(configAt(short, schedule, 4)).toMatchObject({
      iterations: 6,
      model: { learningRate: 0.003 },
    });
    // A file from before live changes has none.
    expect(parseLabOutput(exported)).toMatchObject({ ok: true, output: { schedule: [] } });
  });

  it('refuses a schedule the run could not have had, naming each entry', () => {
    const withSchedule = (entries: unknown) =>
      JSON.stringify({ ...JSON.parse(exported), schedule: entries });
    const refused = problems(
      parseLabOutput(
        withSchedule([
          { iteration: 1, key: 'width', to: 64 },
          { iteration: 2, key: 'lr', from: 0.5, to: 0.003 },
          { iteration: 3, key: 'lr', to: 7 },
          { iteration: 9, key: 'plr', to: 0.01 },
          { iteration: 0, key: 'noise', to: 0.1 },
        ]),
      ),
    );
    expect(refused).toContain('schedule.4.iteration');
    const ordered = problems(
      parseLabOutput(
        withSchedule([
          { iteration: 1, key: 'width', to: 64 },
          { iteration: 2, key: 'lr', from: 0.5, to: 0.003 },
          { iteration: 3, key: 'lr', to: 7 },
          { iteration: 9, key: 'plr', to: 0.01 },
          { iteration: 2, key: 'noise', to: 0.1 },
        ]),
      ),
    );
    expect(ordered).toContain('schedule.0.key: width (Model width) needs a fresh run');
    expect(ordered).toContain('schedule.1.from: lr is 0.001 at iteration 2, not 0.5');
    expect(ordered).toContain('schedule.2.to: 7 is not a value of lr');
    expect(ordered).toContain(
      "schedule.3.iteration: 9 is past the run's end (it has 5 iterations then)",
    );
    expect(ordered).toContain('schedule.4.iteration: 2 comes after 9');
    // More reports than the config's iterations, with no change that raised them: refused.
    const longer = JSON.stringify({
      ...JSON.parse(
        serialiseLabOutput(buildLabOutput(short, null, [{ seed: 7, reports: changed }])),
      ),
    });
    expect(problems(parseLabOutput(longer))).toContain(
      "5 reports, more than the config's 3 iterations",
    );
  });
});
