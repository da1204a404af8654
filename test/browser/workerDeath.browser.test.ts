/**
 * The engine's Web Worker dies, in the two ways the page can see: an exception nobody catches,
 * thrown in the worker itself outside every handler (put there through Playwright's handle on the
 * worker: nothing in the app is built for the test), and a worker script that cannot be loaded.
 * Each time the app says so, keeps the config and the reports it has, runs nothing more, and
 * Retry starts a new engine that trains. And a run too large for the tab is refused before it
 * starts, by the memory estimate, with the knobs to lower.
 */
import type { BrowserContext, Page, Worker } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { appUrl, isEngineWorker, iterationCount, launchChromium, openPage, recordPageErrors, screenshot, tinyRunLink } from './harness';

/** About a second per iteration on WASM in headless Chromium. */
const TINY = tinyRunLink(40);

/** After a death: the count holds (nothing runs) and the alert offers Retry. */
async function expectStoppedWith(page: Page, kept: number): Promise<void> {
  const alert = page.getByRole('alert');
  const text = (await alert.textContent()) ?? '';
  expect(text).toMatch(/^The run stopped in the engine worker\./);
  expect(text).toContain('Retry starts a new one with the same settings');
  if (kept > 0)
    expect(text).toContain(
      `The ${kept === 1 ? 'report' : `${kept} reports`} so far are kept below`,
    );
  expect(await iterationCount(page)).toBe(kept);
  await page.waitForTimeout(2_500);
  expect(await iterationCount(page)).toBe(kept);
}

describe('engine worker death', () => {
  let context: BrowserContext;

  beforeAll(async () => {
    context = await launchChromium();
  });

  afterAll(async () => {
    await context?.close();
  });

  it('a crash in the worker is shown, the reports and config are kept, Retry restarts', async () => {
    const page = await openPage(context);
    const pageErrors = recordPageErrors(page);
    const workers: Worker[] = [];
    page.on('worker', (worker) => {
      if (isEngineWorker(worker)) workers.push(worker);
    });
    await page.goto(appUrl(TINY));
    await page.getByRole('button', { name: 'Play' }).click();
    await expect.poll(() => iterationCount(page), { timeout: 90_000 }).toBeGreaterThanOrEqual(2);
    const hash = new URL(page.url()).hash;
    expect(workers).toHaveLength(1);
    const engine = workers[0];
    const terminated = new Promise<void>((resolve) => engine.once('close', () => resolve()));

    await engine.evaluate(() => {
      setTimeout(() => {
        throw new Error('engine crashed (browser test)');
      }, 0);
    });
    const alert = page.getByRole('alert');
    await expect.poll(() => alert.isVisible(), { timeout: 30_000 }).toBe(true);
    expect(await alert.textContent()).toContain('engine crashed (browser test)');
    await terminated;
    const kept = await iterationCount(page);
    expect(kept).toBeGreaterThanOrEqual(2);
    await expectStoppedWith(page, kept);
    // The reports are still drawn, and the settings are those of the link.
    expect(
      await page
        .getByRole('figure', { name: 'Returns' })
        .locator('path.recharts-line-curve')
        .count(),
    ).toBeGreaterThan(0);
    expect(new URL(page.url()).hash).toBe(hash);
    await screenshot(page, 'worker-crashed');

    const restarted = page.waitForEvent('worker', { predicate: isEngineWorker });
    await alert.getByRole('button', { name: 'Retry', exact: true }).click();
    await restarted;
    expect(workers).toHaveLength(2);
    await expect.poll(() => iterationCount(page), { timeout: 90_000 }).toBeGreaterThanOrEqual(1);
    expect(await alert.isVisible()).toBe(false);
    expect(new URL(page.url()).hash).toBe(hash);
    await page.getByRole('button', { name: 'Pause' }).click();
    // The thrown error is the worker's, reported to the console as uncaught there; nothing else.
    expect(pageErrors.errors.filter((e) => !e.includes('engine crashed (browser test)'))).toEqual(
      [],
    );
  });

  it('a worker script that cannot load is shown, and Retry loads it once it can', async () => {
    const page = await context.newPage();
    const pageErrors = recordPageErrors(page);
    // As a flaky connection or a half-finished deploy would: the worker's script does not arrive
    // (the page asks for it as it opens, to choose the backend before Play).
    const workerScript = /\/assets\/worker-[^/]*\.js$/;
    await page.route(workerScript, (route) => route.abort('connectionfailed'));
    await page.goto(appUrl(TINY));
    await page.getByRole('button', { name: 'Play' }).click();
    const alert = page.getByRole('alert');
    await expect.poll(() => alert.isVisible(), { timeout: 30_000 }).toBe(true);
    expect(await alert.textContent()).toContain('The engine worker stopped');
    await expectStoppedWith(page, 0);

    await page.unroute(workerScript);
    await alert.getByRole('button', { name: 'Retry', exact: true }).click();
    await expect.poll(() => iterationCount(page), { timeout: 90_000 }).toBeGreaterThanOrEqual(1);
    expect(await alert.isVisible()).toBe(false);
    await page.getByRole('button', { name: 'Pause' }).click();
    // Chromium reports the refused script load to the console; nothing else may go wrong.
    const unexpected = pageErrors.errors.filter(
      (e) => !/worker-[^/]*\.js|ERR_CONNECTION_FAILED|Failed to load resource/.test(e),
    );
    expect(unexpected).toEqual([]);
    await page.close();
  });

  it('refuses a run too large for the tab before it starts, naming the knobs', async () => {
    const page = await context.newPage();
    const pageErrors = recordPageErrors(page);
    await page.goto(appUrl(`${TINY}&B=16384&H=200`));
    await page.getByRole('button', { name: 'Play' }).click();
    const alert = page.getByRole('alert');
    await expect.poll(() => alert.isVisible(), { timeout: 30_000 }).toBe(true);
    const text = (await alert.textContent()) ?? '';
    expect(text).toMatch(/^The run stopped while setting up the run\./);
    expect(text).toMatch(/would need about [\d.]+ GiB of memory .* above the 1\.5 GiB/);
    expect(text).toContain('imagination.rollouts = 16384');
    expect(await iterationCount(page)).toBe(0);
    // No backend was started for it.
    expect(await page.locator('.backend-badge .backend-reason').textContent()).toBe(
      'chosen when a run starts',
    );
    pageErrors.assertNone();
    await page.close();
  });
});
