/**
 * Results files in the app: run a tiny config from a link, export JSON (the lab's format) and
 * CSV, check the JSON parses and validates, load it back through the file input and see the
 * charts show the loaded iterations with nothing running; back to the playground; charts and
 * maps download as PNG; a malformed or hostile file is refused with a message and never
 * rendered as markup.
 */
import { execFile } from 'node:child_process';
import { mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { promisify } from 'node:util';
import type { Download, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { BrowserContext } from 'playwright-core';
import { defaultConfig } from '../../src/config/parse';
import {
  buildLabOutput,
  CSV_HEADER,
  parseLabOutput,
  serialiseLabOutput,
} from '../../src/exportFile';
import type { IterationReport } from '../../src/report';
import { report } from '../fixtures/report';
import { appUrl, ARTIFACTS_DIR, iterationCount, launchChromium, openPage, recordPageErrors, screenshot, tinyRunLink } from './harness';

/** About a second per iteration on WASM in headless Chromium. */
const TINY = tinyRunLink(3);

async function downloaded(page: Page, click: () => Promise<void>): Promise<[Download, Buffer]> {
  const [download] = await Promise.all([page.waitForEvent('download'), click()]);
  const path = await download.path();
  return [download, await readFile(path)];
}

const ROOT = resolve(__dirname, '../..');

/** The lab re-runs an exported file: `npm run lab -- --config FILE`, one iteration here. */
async function labRerun(file: string, out: string): Promise<string> {
  const { stdout } = await promisify(execFile)(
    join(ROOT, 'node_modules', '.bin', 'tsx'),
    [join(ROOT, 'src', 'cli', 'lab.ts'), '--config', file, '--iterations', '1', '--out', out],
    { cwd: ROOT, timeout: 120_000 },
  );
  return stdout;
}

const PNG_SIGNATURE = Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]);

describe('results files', () => {
  let context: BrowserContext;

  beforeAll(async () => {
    context = await launchChromium();
  });

  afterAll(async () => {
    await context?.close();
  });

  it('exports a run as JSON and CSV, loads the JSON back for viewing, and saves PNGs', async () => {
    const page = await openPage(context);
    const pageErrors = recordPageErrors(page);
    await page.goto(appUrl(TINY));
    const exportJson = page.getByRole('button', { name: 'Export JSON' });
    await expect.poll(() => exportJson.isVisible()).toBe(true);
    expect(await exportJson.isDisabled()).toBe(true);

    await page.getByRole('button', { name: 'Play' }).click();
    await expect.poll(() => iterationCount(page), { timeout: 90_000 }).toBe(3);
    await expect.poll(() => page.getByText('finished').isVisible(), { timeout: 30_000 }).toBe(true);

    // JSON: the lab's format, one run (this seed), every report valid, the config included.
    const [jsonDownload, jsonBytes] = await downloaded(page, () => exportJson.click());
    expect(jsonDownload.suggestedFilename()).toMatch(/^mismatch-lab_Pendulum-v1_.*_seed\d+\.json$/);
    const parsed = parseLabOutput(jsonBytes.toString('utf8'));
    if (!parsed.ok) throw new Error(parsed.problems.join('\n'));
    expect(parsed.output.runs).toHaveLength(1);
    expect(parsed.output.runs[0].reports.map((r) => r.iteration)).toEqual([0, 1, 2]);
    expect(parsed.output.config.iterations).toBe(3);
    expect(parsed.output.config.model.width).toBe(32);
    expect(parsed.output.backend?.backend).toBe('wasm');
    const raw = JSON.parse(jsonBytes.toString('utf8')) as Record<string, unknown>;
    expect(Object.keys(raw).sort()).toEqual(['backend', 'config', 'runs', 'schedule', 'summary']);
    // Nothing was changed while it ran.
    expect(parsed.output.schedule).toEqual([]);

    // The lab takes the exported file as its config and runs the same experiment.
    const dir = await mkdtemp(join(tmpdir(), 'export-test-'));
    try {
      await writeFile(join(dir, 'exported.json'), jsonBytes);
      const stdout = await labRerun(join(dir, 'exported.json'), join(dir, 'rerun.json'));
      expect(stdout).toMatch(/^seed \d+ {2}it +0 /m);
      const rerun = parseLabOutput(await readFile(join(dir, 'rerun.json'), 'utf8'));
      if (!rerun.ok) throw new Error(rerun.problems.join('\n'));
      expect(rerun.output.config).toEqual({ ...parsed.output.config, iterations: 1 });
    } finally {
      await rm(dir, { recursive: true, force: true });
    }

    // CSV: a header and one row per iteration.
    const [csvDownload, csvBytes] = await downloaded(page, () =>
      page.getByRole('button', { name: 'CSV', exact: true }).click(),
    );
    expect(csvDownload.suggestedFilename()).toMatch(/\.csv$/);
    const rows = csvBytes.toString('utf8').trim().split('\n');
    expect(rows[0]).toBe(CSV_HEADER);
    expect(rows).toHaveLength(4);

    // PNG of a chart (SVG drawn on a canvas) and of the state-space map (a canvas).
    for (const name of ['Returns', 'State-space map']) {
      const [png, pngBytes] = await downloaded(page, () =>
        page.getByRole('button', { name: `Download ${name} as PNG` }).click(),
      );
      expect(png.suggestedFilename()).toMatch(/\.png$/);
      expect(pngBytes.subarray(0, 8).equals(PNG_SIGNATURE)).toBe(true);
      expect(pngBytes.length).toBeGreaterThan(2_000);
      await mkdir(ARTIFACTS_DIR, { recursive: true });
      await writeFile(join(ARTIFACTS_DIR, png.suggestedFilename()), pngBytes);
    }

    // Reset, then load the exported file: its iterations are on screen, nothing runs.
    await page.getByRole('button', { name: 'Reset' }).click();
    await expect.poll(() => iterationCount(page)).toBe(0);
    await page.getByLabel('Load a results file').setInputFiles({
      name: 'exported.json',
      mimeType: 'application/json',
      buffer: jsonBytes,
    });
    const banner = page.getByRole('status', { name: 'Viewing a loaded file' });
    await expect.poll(() => banner.isVisible()).toBe(true);
    expect(await banner.textContent()).toContain('exported.json');
    expect(await banner.textContent()).toContain('3 of 3 iterations of Pendulum-v1');
    expect(await iterationCount(page)).toBe(3);
    expect(await page.getByText('viewing a loaded file', { exact: true }).isVisible()).toBe(true);
    const last = parsed.output.runs[0].reports[2];
    // The charts draw the loaded reports, iterations 1-3, on an axis that ends on the next round
    // number (chartScales.ts), with the last one's values.
    const returns = page.getByRole('figure', { name: 'Returns' });
    await expect
      .poll(() =>
        returns
          .locator('text.recharts-cartesian-axis-tick-value[orientation="bottom"]')
          .allTextContents(),
      )
      .toEqual(['1', '2', '4', '6', '8', '10']);
    // An empty chart has the same axis: the values say the rows are drawn (one chart per task).
    await expect.poll(() => returns.locator('.card-meta').textContent()).toMatch(/^real -?[\d.,]+/);
    const pathPoints = await returns.locator('path.recharts-line-curve').first().getAttribute('d');
    expect(pathPoints).toBeTruthy();
    expect(
      await page.getByRole('img', { name: /State-space map over/ }).getAttribute('aria-label'),
    ).toContain(last.grid.xLabel);
    await page.waitForTimeout(1_500);
    expect(await iterationCount(page)).toBe(3);
    await screenshot(page, 'app-viewing-file');

    // The way back: the playground's own (reset) run again.
    await banner.getByRole('button', { name: 'Back to the playground' }).click();
    await expect.poll(() => banner.isVisible()).toBe(false);
    expect(await iterationCount(page)).toBe(0);
    expect(await exportJson.isDisabled()).toBe(true);
    pageErrors.assertNone();
  });

  it('shows values no chart can draw (a valid file of 1e308s) as text with a notice, never a crash', async () => {
    /** A valid results file of three reports, each changed by `edit`. */
    const fileOf = (name: string, edit: (r: IterationReport) => void) => {
      const reports = [report(0), report(1), report(2)];
      reports.forEach(edit);
      const text = serialiseLabOutput(buildLabOutput(defaultConfig, null, [{ seed: 0, reports }]));
      expect(parseLabOutput(text).ok).toBe(true);
      return { name, mimeType: 'application/json', buffer: Buffer.from(text) };
    };
    const page = await context.newPage();
    const pageErrors = recordPageErrors(page);
    let crashed = false;
    page.on('crash', () => (crashed = true));
    await page.goto(appUrl('#v=2'));
    const input = page.getByLabel('Load a results file');
    const banner = page.getByRole('status', { name: 'Viewing a loaded file' });
    const figure = (name: string) => page.getByRole('figure', { name, exact: true });
    const noteOf = (name: string) => figure(name).getByRole('note');

    // The file: every return ±1e308 (the tab went blank: "Invalid array length").
    await input.setInputFiles(
      fileOf('returns.json', (r) => {
        r.returns = { real: 1e308, sim: -1e308, oracle: 1e308, random: -1e308 };
      }),
    );
    await expect.poll(() => banner.textContent()).toContain('returns.json');
    await expect
      .poll(() => noteOf('Returns').textContent(), { timeout: 10_000 })
      .toBe(
        'Not drawn, beyond what a chart can show (±1e+300): real 1.0e+308 at iterations 1–3; ' +
          'sim (in the model) -1.0e+308 at iterations 1–3; oracle 1.0e+308 at iterations 1–3; ' +
          'random -1.0e+308 at iterations 1–3.',
      );
    expect(await figure('Returns').locator('.card-meta').textContent()).toBe(
      'real 1.0e+308 · sim -1.0e+308',
    );
    // The other charts draw as ever.
    expect(await noteOf('Gap (sim − real) and its bound').count()).toBe(0);
    await expect
      .poll(() =>
        figure('Gap (sim − real) and its bound').locator('path.recharts-line-curve').count(),
      )
      .toBeGreaterThan(0);
    await screenshot(page, 'app-viewing-undrawable-returns');

    // Gap and bound, errors and losses too large or too small for their axes, and a map whose
    // axes and paths span ±1e308 (the tab crashed; the log charts rendered without end).
    await input.setInputFiles(
      fileOf('everything.json', (r) => {
        r.gap = 1e308;
        r.bound = 1e308;
        r.modelError = { uniform: 1e308, onPolicy: 5e-324, strategic: 0.3, adversarial: null };
        r.losses = { modelTrain: 1e308, modelHoldout: 5e-324, policy: -1e308, critic: 2 };
        r.grid.xRange = [-1e308, 1e308];
        r.trajectories.real = [
          [1e308, -1e308],
          [0, 0],
        ];
      }),
    );
    await expect.poll(() => banner.textContent()).toContain('everything.json');
    await expect
      .poll(() => noteOf('Gap (sim − real) and its bound').textContent(), { timeout: 10_000 })
      .toBe(
        'Not drawn, beyond what a chart can show (±1e+300): ±bound 1.0e+308 at iterations 1–3; ' +
          'gap 1.0e+308 at iterations 1–3.',
      );
    expect(await noteOf('Returns').count()).toBe(0);
    const errors = await noteOf('Model error (log scale)').textContent();
    expect(errors).toContain('beyond what a log axis can show (1e-300 to 1e+300)');
    expect(errors).toContain('uniform 1.0e+308 at iterations 1–3');
    expect(errors).toContain('on-policy 4.9e-324 at iterations 1–3');
    const losses = await noteOf('Losses (log; policy on the right)').textContent();
    expect(losses).toContain('model (train) 1.0e+308');
    expect(losses).toContain('model (holdout) 4.9e-324');
    expect(losses).toContain('beyond what a chart can show (±1e+300): policy -1.0e+308');
    expect(await noteOf('State-space map').textContent()).toContain(
      'its axes, θ from -1.0e+308 to 1.0e+308 and θ̇ from -8 to 8, so no path is drawn',
    );
    // What can be drawn is: the strategic error and the critic's loss.
    const drawnLines = (name: string) =>
      figure(name)
        .locator('path.recharts-line-curve')
        .evaluateAll(
          (paths) => paths.filter((path) => /\d/.test(path.getAttribute('d') ?? '')).length,
        );
    await expect.poll(() => drawnLines('Model error (log scale)')).toBe(1);
    expect(await drawnLines('Losses (log; policy on the right)')).toBe(1);
    await screenshot(page, 'app-viewing-undrawable-everything');
    expect(crashed).toBe(false);
    pageErrors.assertNone();
    await page.close();
  });

  it('refuses malformed, truncated and hostile files with a message, as text', async () => {
    const page = await context.newPage();
    const pageErrors = recordPageErrors(page);
    await page.goto(appUrl(TINY));
    const input = page.getByLabel('Load a results file');
    const alert = page.getByRole('alert', { name: 'File not loaded' });

    await input.setInputFiles({
      name: 'broken.json',
      mimeType: 'application/json',
      buffer: Buffer.from('{"config": {"seed": 1}, "runs": [{"seed": 1, "reports": [{"iter'),
    });
    await expect.poll(() => alert.isVisible()).toBe(true);
    expect(await alert.textContent()).toMatch(/broken\.json.*not loaded.*truncated/s);
    await alert.getByRole('button', { name: 'Dismiss' }).click();
    await expect.poll(() => alert.isVisible()).toBe(false);

    await input.setInputFiles({
      name: 'array.json',
      mimeType: 'application/json',
      buffer: Buffer.from('[1, 2, 3]'),
    });
    await expect.poll(() => alert.isVisible()).toBe(true);
    expect(await alert.textContent()).toMatch(/JSON object.*found an array/);

    // Markup in the file name and in a value is shown as text, never inserted as elements.
    const hostile = '<img src=x onerror="window.__pwned=1"><script>window.__pwned=1</script>';
    await input.setInputFiles({
      name: `${'<b>bold</b>'}.json`,
      mimeType: 'application/json',
      buffer: Buffer.from(
        JSON.stringify({ config: { env: { id: hostile } }, runs: [{ seed: 0, reports: [] }] }),
      ),
    });
    await expect.poll(async () => alert.textContent()).toMatch(/<b>bold<\/b>\.json/);
    expect(await alert.textContent()).toMatch(/runs\.0\.reports: /);
    expect(await alert.locator('b, img, script').count()).toBe(0);
    expect(await page.evaluate(() => (window as unknown as { __pwned?: number }).__pwned)).toBe(
      undefined,
    );
    expect(await iterationCount(page)).toBe(0);
    expect(await page.getByRole('status', { name: 'Viewing a loaded file' }).count()).toBe(0);
    pageErrors.assertNone();
    await page.close();
  });
});
