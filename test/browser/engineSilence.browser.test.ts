/**
 * An engine worker that dies without an error event (closed from inside, through Playwright's
 * handle on it: no error, no message, nothing) is noticed by its silence: the worker says it is
 * alive every second whenever it is free, and the app presumes it dead past its watchdog's limit
 * (60 s, or twice the longest silence it came back from: app/engineWatchdog.ts). The page's clock is Playwright's, so a minute passes at once;
 * time otherwise flows as usual. A worker that was only slow lifts the notice by speaking again.
 */
import type { BrowserContext, Worker } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { appUrl, isEngineWorker, iterationCount, launchChromium, openPage, recordPageErrors, screenshot, tinyRunLink } from './harness';

const TINY = tinyRunLink(40);

describe('engine worker silence', () => {
  let context: BrowserContext;

  beforeAll(async () => {
    context = await launchChromium();
  });

  afterAll(async () => {
    await context?.close();
  });

  it('a worker killed without an error event is presumed dead after a minute of silence; Retry restarts', async () => {
    const page = await openPage(context);
    const pageErrors = recordPageErrors(page);
    const workers: Worker[] = [];
    page.on('worker', (worker) => {
      if (isEngineWorker(worker)) workers.push(worker);
    });
    await page.clock.install();
    await page.goto(appUrl(TINY));
    await page.getByRole('button', { name: 'Play' }).click();
    await expect.poll(() => iterationCount(page), { timeout: 90_000 }).toBeGreaterThanOrEqual(2);
    const alert = page.getByRole('alert');
    const silence = alert.filter({ hasText: 'The engine worker has not answered' });

    // The worker is busy for 4 s (one long step, as a big config's) while a minute passes on the
    // page's clock: the watchdog cannot tell it from a dead one, says so, and takes it back when
    // the worker speaks again.
    const engine = workers[0];
    const busy = engine.evaluate(() => {
      const until = Date.now() + 4_000;
      while (Date.now() < until);
    });
    await page.waitForTimeout(500);
    await page.clock.fastForward('01:05');
    await expect.poll(() => silence.isVisible(), { timeout: 2_000 }).toBe(true);
    await busy;
    await expect.poll(() => silence.count(), { timeout: 10_000 }).toBe(0);
    await expect.poll(() => iterationCount(page), { timeout: 60_000 }).toBeGreaterThanOrEqual(3);

    // Now the worker goes away without a word.
    const closed = new Promise<void>((resolve) => engine.once('close', () => resolve()));
    await engine.evaluate(() => {
      self.close();
    });
    await closed;
    const kept = await iterationCount(page);
    await page.waitForTimeout(3_000);
    expect(await alert.count()).toBe(0);
    // The engine came back from about 70 s of silence, so the watchdog now waits twice that.
    await page.clock.fastForward('01:15');
    await page.waitForTimeout(2_000);
    expect(await alert.count()).toBe(0);
    await page.clock.fastForward('01:15');
    await expect.poll(() => silence.isVisible(), { timeout: 10_000 }).toBe(true);
    const text = (await silence.textContent()) ?? '';
    expect(text).toMatch(/^The engine worker has not answered for \d+ s\./);
    expect(text).toContain('most likely been killed (a killed worker sends no error)');
    if (kept > 0) expect(text).toContain(`the ${kept === 1 ? 'report' : `${kept} reports`} so far are kept`);
    // Nothing answers, nothing runs.
    await page.waitForTimeout(3_000);
    expect(await silence.isVisible()).toBe(true);
    expect(await iterationCount(page)).toBe(kept);
    await screenshot(page, 'engine-silent');

    const restarted = page.waitForEvent('worker', { predicate: isEngineWorker });
    await silence.getByRole('button', { name: 'Retry' }).click();
    await restarted;
    expect(workers).toHaveLength(2);
    await expect.poll(() => iterationCount(page), { timeout: 90_000 }).toBeGreaterThanOrEqual(1);
    expect(await alert.count()).toBe(0);
    await page.getByRole('button', { name: 'Pause' }).click();
    pageErrors.assertNone();
  });
});
