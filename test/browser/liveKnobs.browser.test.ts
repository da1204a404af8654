/**
 * Live knobs in the app, as a learner explores: while a tiny run goes on, the model learning rate
 * moves from 0.001 to 0.003. The run does not restart (no Restart prompt, the iteration count goes
 * on), the link follows at once, the next report carries the new value, and every chart marks the
 * iteration with a rule that says "lr 0.001 → 0.003" when pointed at. A knob that needs a fresh
 * run still asks for a restart. The exported results record the change with its iteration, and
 * the lab, given the file, reproduces the run. Then the link is edited in the address bar: its
 * live knob reaches the run the same way, and a lesson link sets its step's preset up.
 */
import { readFile } from 'node:fs/promises';
import type { BrowserContext, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runLab } from '../../src/cli/labRunner';
import { parseLabOutput } from '../../src/exportFile';
import type { IterationReport } from '../../src/report';
import { appUrl, iterationCount, launchChromium, openPage, recordPageErrors, screenshot } from './harness';

/** About a second per iteration on WASM in headless Chromium; no v=: the current version. */
const TINY =
  '#it=40&be=wasm&init=100&steps=50&ens=2&width=32&fit=20&mb=64&B=32&H=10&psteps=5&evep=2&evlen=100&lr=0.001';

const CHARTS = ['Returns', 'Gap (sim − real) and its bound', 'Model error (log scale)'];
const markersIn = (page: Page, chart: string) =>
  page.getByRole('figure', { name: chart, exact: true }).locator('[data-knob-change]');
const hash = (page: Page) => new URL(page.url()).hash;

/** What a rerun must give again (the oracle, made on its own thread in the app, may come later). */
function learning(report: IterationReport) {
  const { iteration, realSteps, returns, gap, modelError, losses, imaginedReturn } = report;
  return {
    iteration,
    realSteps,
    real: returns.real,
    sim: returns.sim,
    gap,
    uniform: modelError.uniform,
    onPolicy: modelError.onPolicy,
    losses,
    imaginedReturn,
    changes: report.changes,
  };
}

describe('live knobs', () => {
  let context: BrowserContext;

  beforeAll(async () => {
    context = await launchChromium();
  });

  afterAll(async () => {
    await context?.close();
  });

  it('applies a learning rate mid-run at the next iteration, marks it, exports and reruns it', async () => {
    const page = await openPage(context);
    const pageErrors = recordPageErrors(page);
    await page.goto(appUrl(TINY));
    await page.getByRole('button', { name: 'Play' }).click();
    await expect.poll(() => iterationCount(page), { timeout: 90_000 }).toBeGreaterThanOrEqual(2);

    // The model learning rate to 0.003 while the run goes on (slider position 619 of 1000).
    const rate = page.getByRole('slider', { name: 'Model learning rate' });
    const before = await iterationCount(page);
    await rate.fill('619');
    expect(await rate.getAttribute('aria-valuetext')).toBe('0.003');
    expect(hash(page)).toContain('lr=0.003');
    expect(await page.getByRole('button', { name: 'Restart with these settings' }).count()).toBe(0);

    // Every chart marks the iteration the new rate started from; the run went on, not over.
    for (const chart of CHARTS) {
      await expect.poll(() => markersIn(page, chart).count(), { timeout: 60_000 }).toBe(1);
    }
    const marker = markersIn(page, 'Returns').first();
    expect(await marker.getAttribute('data-knob-change')).toBe('lr 0.001 → 0.003');
    const markedAt = Number(await marker.getAttribute('data-iteration'));
    expect(markedAt).toBeGreaterThan(before);
    expect(await iterationCount(page)).toBeGreaterThanOrEqual(markedAt);
    // Pointed at, the rule says what changed.
    const label = marker.locator('.knob-marker-label');
    expect(await label.isVisible()).toBe(false);
    await marker.locator('.knob-marker-hit').hover();
    await expect.poll(() => label.isVisible()).toBe(true);
    expect(await label.textContent()).toBe('lr 0.001 → 0.003');
    await screenshot(page, 'live-knob-marker');

    // A knob that shapes the model waits for a restart, and says which.
    const width = page.getByRole('slider', { name: 'Model width' });
    await width.fill('571');
    expect(await width.getAttribute('aria-valuetext')).toBe('64');
    const pending = page.getByRole('status').filter({ hasText: 'to a new run' });
    await expect
      .poll(() => pending.textContent())
      .toContain('Model width: this change applies to a new run.');
    await pending.getByRole('button', { name: 'Undo changes' }).click();
    await expect.poll(() => pending.count()).toBe(0);
    expect(await rate.getAttribute('aria-valuetext')).toBe('0.003');

    // Pause, export: the file holds the config as the run started and the change with its
    // iteration, and the report it names carries the new value.
    await page.getByRole('button', { name: 'Pause' }).click();
    await expect.poll(() => page.getByRole('button', { name: 'Play' }).isVisible()).toBe(true);
    const [download] = await Promise.all([
      page.waitForEvent('download'),
      page.getByRole('button', { name: 'Export JSON' }).click(),
    ]);
    const parsed = parseLabOutput(await readFile(await download.path(), 'utf8'));
    if (!parsed.ok) throw new Error(parsed.problems.join('\n'));
    const { config, schedule, runs } = parsed.output;
    expect(config.model.learningRate).toBe(0.001);
    expect(schedule).toEqual([{ iteration: markedAt - 1, key: 'lr', from: 0.001, to: 0.003 }]);
    const reports = runs[0].reports;
    expect(reports[markedAt - 1].changes).toEqual([{ key: 'lr', from: 0.001, to: 0.003 }]);
    expect(reports.filter((report) => report.changes !== undefined)).toHaveLength(1);

    // The lab reruns the file (as many iterations as were exported) and gives the same run.
    const exported = reports.length;
    const path = await download.path();
    const rerun = await runLab(['--config', path, '--iterations', String(exported), '--quiet'], {
      out: () => undefined,
      err: () => undefined,
    });
    expect(rerun.code).toBe(0);
    expect(rerun.output?.runs[0].reports.map(learning)).toEqual(reports.map(learning));

    // The address bar: a link with another learning rate reaches the paused run as a live change.
    await page.evaluate(
      (next) => {
        window.location.hash = next;
      },
      hash(page).replace('lr=0.003', 'lr=0.0005'),
    );
    await expect.poll(() => rate.getAttribute('aria-valuetext')).toBe('5.0e-4');
    expect(await page.getByRole('button', { name: 'Restart with these settings' }).count()).toBe(0);
    await page.getByRole('button', { name: 'Play' }).click();
    await expect
      .poll(() => markersIn(page, 'Returns').count(), { timeout: 60_000 })
      .toBe(2);
    expect(await markersIn(page, 'Returns').nth(1).getAttribute('data-knob-change')).toBe(
      'lr 0.003 → 5.0e-4',
    );
    await page.getByRole('button', { name: 'Pause' }).click();
    pageErrors.assertNone();
  });

  it('applies a lesson link typed on the open page as a fresh load, naming its preset', async () => {
    const page = await context.newPage();
    const pageErrors = recordPageErrors(page);
    await page.goto(appUrl('#preset=mnm&seeds=2'));
    await expect.poll(() => page.getByLabel('Preset').inputValue()).toBe('mnm');
    // Step 3.2 has no setup of its own: it goes on with the adversary preset of step 3.1.
    await page.evaluate(() => {
      window.location.hash = '#lesson=3.2';
    });
    await expect
      .poll(() => page.locator('.lesson-kicker').textContent())
      .toMatch(/^Lesson 3 of \d+ · step 2 of \d+$/);
    await expect.poll(() => page.getByLabel('Preset').inputValue()).toBe('adversary');
    expect(await page.getByLabel('Seeds per config').inputValue()).toBe('1');
    await expect.poll(() => hash(page)).toMatch(/preset=adversary.*lesson=3\.2/);
    pageErrors.assertNone();
    await page.close();
  });
});
