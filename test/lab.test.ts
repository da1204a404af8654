/**
 * The headless lab as a user runs it: a child process on a config file, a preset name or a link,
 * with several seeds, writing JSON and CSV. Exit 0 on success, 2 on a usage or config problem
 * with every problem named by its dotted path.
 */
import { execFile } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { runLab } from '../src/cli/labRunner';
import { scheduleOf } from '../src/config/knobSchedule';
import { presets } from '../src/config/presets';
import { encodeConfig } from '../src/config/urlCodec';
import { runExperiment } from '../src/experiment';
import { buildLabOutput, serialiseLabOutput } from '../src/exportFile';
import { iterationReportSchema, type IterationReport } from '../src/report';
import { TINY, tinyConfig, withoutTimings } from './experiment/helpers';
import { useBackend } from './models/helpers';

const ROOT = resolve(__dirname, '..');
const TSX = join(ROOT, 'node_modules', '.bin', 'tsx');
const LAB = join(ROOT, 'src', 'cli', 'lab.ts');
const dir = mkdtempSync(join(tmpdir(), 'lab-test-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

interface LabResult {
  readonly code: number;
  readonly stdout: string;
  readonly stderr: string;
}

function lab(...args: string[]): Promise<LabResult> {
  return new Promise((done) => {
    execFile(TSX, [LAB, ...args], { cwd: ROOT, timeout: 120_000 }, (error, stdout, stderr) => {
      const code = error === null ? 0 : typeof error.code === 'number' ? error.code : -1;
      done({ code, stdout, stderr });
    });
  });
}

const PROGRESS = /^seed (\d+) {2}it +(\d+) {2}real +-?[\d.]+ {2}sim/;

function progressLines(stdout: string): [number, number][] {
  return stdout
    .split('\n')
    .map((line) => PROGRESS.exec(line))
    .filter((match): match is RegExpExecArray => match !== null)
    .map((match) => [Number(match[1]), Number(match[2])]);
}

describe('lab CLI', () => {
  it(
    'runs a config file for 2 iterations × 2 seeds and writes JSON and CSV',
    { timeout: 180_000 },
    async () => {
      const configFile = join(dir, 'tiny.json');
      const out = join(dir, 'out.json');
      const csv = join(dir, 'out.csv');
      writeFileSync(
        configFile,
        JSON.stringify({ ...TINY, optimiser: { ...TINY.optimiser, kind: 'reinforce' } }),
      );
      const { code, stdout, stderr } = await lab(
        '--config',
        configFile,
        '--iterations',
        '2',
        '--seeds',
        '2',
        '--out',
        out,
        '--csv',
        csv,
      );
      expect(code, stderr).toBe(0);
      const seed = TINY.seed as number;
      expect(progressLines(stdout)).toEqual([
        [seed, 0],
        [seed, 1],
        [seed + 1, 0],
        [seed + 1, 1],
      ]);
      expect(stdout).toContain('last iteration (1) over 2 seed(s), mean ± 95 % interval:');
      expect(stdout).toContain('| metric | value |');
      expect(stdout).toMatch(/^\| real return \| -?[\d.]+ ± [\d.]+ \|$/m);
      expect(stdout).toMatch(/^\| oracle return \| -?[\d.]+ ± [\d.]+ \|$/m);

      const written = JSON.parse(readFileSync(out, 'utf8')) as {
        config: { iterations: number; seed: number; optimiser: { kind: string } };
        runs: { seed: number; reports: IterationReport[] }[];
        summary: Record<string, { mean: number; halfWidth: number; count: number }>;
      };
      expect(written.config.iterations).toBe(2);
      expect(written.config.optimiser.kind).toBe('reinforce');
      expect(written.runs.map((run) => run.seed)).toEqual([seed, seed + 1]);
      for (const run of written.runs) {
        expect(run.reports.map((report) => report.iteration)).toEqual([0, 1]);
        for (const report of run.reports) {
          const parsed = iterationReportSchema.safeParse(report);
          expect(parsed.success, JSON.stringify(parsed.error?.issues)).toBe(true);
        }
      }
      // The summary is the mean over the seeds' last reports.
      const lastReal = written.runs.map((run) => run.reports[1].returns.real);
      expect(written.summary['real return'].count).toBe(2);
      expect(written.summary['real return'].mean).toBeCloseTo((lastReal[0] + lastReal[1]) / 2, 6);

      const rows = readFileSync(csv, 'utf8').trim().split('\n');
      expect(rows[0].split(',').slice(0, 4)).toEqual(['seed', 'iteration', 'realSteps', 'real']);
      expect(rows.slice(1).map((row) => row.split(',').slice(0, 2).map(Number))).toEqual([
        [seed, 0],
        [seed, 1],
        [seed + 1, 0],
        [seed + 1, 1],
      ]);
      expect(
        rows.slice(1).every((row) => row.split(',').length === rows[0].split(',').length),
      ).toBe(true);
    },
  );

  it(
    'runs a link (--url) with the same config the app would, and reports unknown keys',
    { timeout: 180_000 },
    async () => {
      const config = tinyConfig({ env: { id: 'CartPole-v1' }, optimiser: { kind: 'reinforce' } });
      const link = `http://127.0.0.1:5173/#${encodeConfig(config)}&zz=1`;
      const out = join(dir, 'url.json');
      const { code, stdout, stderr } = await lab('--url', link, '--iterations', '1', '--out', out);
      expect(code, stderr).toBe(0);
      expect(stderr).toMatch(/^url: zz: /m);
      expect(progressLines(stdout)).toEqual([[config.seed, 0]]);
      const written = JSON.parse(readFileSync(out, 'utf8')) as { config: typeof config };
      expect(written.config).toEqual({ ...config, iterations: 1 });
    },
  );

  it(
    "runs a comparison link's configs in turn on its seeds, one output file each",
    { timeout: 240_000 },
    async () => {
      const config = tinyConfig({ env: { id: 'CartPole-v1' }, optimiser: { kind: 'reinforce' } });
      const link = `#${encodeConfig(config, { compare: [{ width: 12 }], seeds: 2 })}`;
      const out = join(dir, 'compare.json');
      const csv = join(dir, 'compare.csv');
      const { code, stdout, stderr } = await lab(
        '--url',
        link,
        '--iterations',
        '1',
        '--out',
        out,
        '--csv',
        csv,
      );
      expect(code, stderr).toBe(0);
      const seed = config.seed;
      // Each config on the link's 2 seeds, the base first.
      expect(progressLines(stdout)).toEqual([
        [seed, 0],
        [seed + 1, 0],
        [seed, 0],
        [seed + 1, 0],
      ]);
      expect(stdout).toMatch(/^config 1 of 2 \(the base\)$/m);
      expect(stdout).toMatch(/^config 2 of 2$/m);
      type Written = { config: typeof config; runs: { seed: number }[] };
      const base = JSON.parse(readFileSync(out, 'utf8')) as Written;
      const compared = JSON.parse(
        readFileSync(join(dir, 'compare.config-2.json'), 'utf8'),
      ) as Written;
      expect(base.config).toEqual({ ...config, iterations: 1 });
      expect(compared.config).toEqual({
        ...config,
        iterations: 1,
        model: { ...config.model, width: 12 },
      });
      expect(compared.runs.map((run) => run.seed)).toEqual([seed, seed + 1]);
      expect(
        readFileSync(join(dir, 'compare.config-2.csv'), 'utf8').trim().split('\n'),
      ).toHaveLength(3);

      // --seeds wins over the link's seeds=.
      const one = await lab('--url', link, '--iterations', '1', '--seeds', '1', '--quiet');
      expect(one.code, one.stderr).toBe(0);
      expect(one.stdout.match(/over 1 seed\(s\)/g)).toHaveLength(2);
    },
  );

  it(
    'exits 2 on a bad config file and names every problem by its dotted path',
    { timeout: 60_000 },
    async () => {
      const configFile = join(dir, 'bad.json');
      writeFileSync(configFile, JSON.stringify({ model: { width: -1, foo: 1 } }));
      const { code, stdout, stderr } = await lab('--config', configFile);
      expect(code).toBe(2);
      expect(stderr).toContain('the config is not valid');
      expect(stderr).toMatch(/^ {2}model\.width: /m);
      expect(stderr).toMatch(/^ {2}model: .*foo/m);
      expect(progressLines(stdout)).toEqual([]);
    },
  );

  it(
    'exits 2 on a config above the memory budget, naming the knobs, before any work',
    { timeout: 60_000 },
    async () => {
      const configFile = join(dir, 'huge.json');
      writeFileSync(
        configFile,
        JSON.stringify({ imagination: { rollouts: 16_384, horizon: 200 } }),
      );
      const { code, stdout, stderr } = await lab('--config', configFile);
      expect(code).toBe(2);
      expect(stderr).toMatch(/^lab: this config would need about [\d.]+ GiB .*above the 1\.5 GiB/m);
      expect(stderr).toContain('imagination.rollouts = 16384');
      expect(stdout).not.toContain('backend:');
    },
  );

  it('exits 2 on an unknown preset and lists the presets', { timeout: 60_000 }, async () => {
    const { code, stderr } = await lab('--preset', 'no-such-preset');
    expect(code).toBe(2);
    expect(stderr).toContain('unknown preset "no-such-preset"');
    expect(stderr).toContain(`(known: ${Object.keys(presets).join(', ')})`);
  });
});

describe('lab: a results file with live changes', () => {
  it(
    'replays its schedule: the run whose learning rate changed mid-run comes out the same',
    { timeout: 120_000 },
    async () => {
      await useBackend('wasm');
      const config = tinyConfig({ iterations: 3, model: { learningRate: 0.001 } });
      const faster = { ...config, model: { ...config.model, learningRate: 0.01 } };
      // The app's run: the worker hands the change over mid-iteration 0, while the policy improves.
      const run = runExperiment(config);
      const reports: IterationReport[] = [];
      let given: typeof config | undefined;
      let handed = false;
      for (let next = await run.next(); next.done !== true; next = await run.next(given)) {
        const event = next.value;
        given = undefined;
        if (event.kind === 'report') reports.push(event.report);
        if (!handed && event.kind === 'phase' && event.phase === 'improve') {
          handed = true;
          given = faster;
        }
      }
      expect(reports[1].changes).toEqual([{ key: 'lr', from: 0.001, to: 0.01 }]);
      const file = join(dir, 'live.json');
      const exported = buildLabOutput(
        config,
        null,
        [{ seed: config.seed, reports }],
        scheduleOf(reports),
      );
      writeFileSync(file, serialiseLabOutput(exported));

      const lines: string[] = [];
      const io = {
        out: (line: string) => lines.push(line),
        err: (line: string) => lines.push(line),
      };
      const replayed = await runLab(['--config', file], io);
      expect(replayed.code, lines.join('\n')).toBe(0);
      expect(lines).toContain(`seed ${config.seed}  from it 1: lr 0.001 → 0.01`);
      expect(replayed.output?.schedule).toEqual([
        { iteration: 1, key: 'lr', from: 0.001, to: 0.01 },
      ]);
      expect(replayed.output?.runs[0].reports.map(withoutTimings)).toEqual(
        reports.map(withoutTimings),
      );

      // Without its schedule the same config is another run from iteration 1 on.
      writeFileSync(file, serialiseLabOutput({ ...exported, schedule: [] }));
      const plain = await runLab(['--config', file, '--quiet'], io);
      const plainReports = plain.output?.runs[0].reports ?? [];
      expect(withoutTimings(plainReports[0])).toEqual(withoutTimings(reports[0]));
      expect(plainReports[1].losses.modelTrain).not.toBe(reports[1].losses.modelTrain);
    },
  );
});
