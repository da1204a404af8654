/**
 * The tensor backend failing mid-run, in the real app: after two reports, every matrix product of
 * the engine worker's WASM backend starts throwing (its kernels are swapped for failing ones in
 * tfjs's kernel registry, through Playwright's handle on the worker: nothing in the app is built
 * for the test). The run goes on, on the CPU, from its last good iteration, and the app says so:
 * which backend failed, where, with what error, and which one took over; the top bar shows it.
 */
import type { BrowserContext, Worker } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { appUrl, isEngineWorker, iterationCount, launchChromium, openPage, recordPageErrors, screenshot, tinyRunLink } from './harness';

/** About a second per iteration on WASM in headless Chromium, a few on the CPU. */
const TINY = tinyRunLink(40);

/** In the worker: WASM's matrix kernels throw from now on, as on a lost device. */
function breakWasmMatrixKernels(engine: Worker): Promise<number> {
  return engine.evaluate(() => {
    const globals = (self as unknown as { _tfGlobals: Map<string, unknown> })._tfGlobals;
    const registry = globals.get('kernelRegistry') as Map<string, { kernelFunc: unknown }>;
    let broken = 0;
    for (const name of ['BatchMatMul', '_FusedMatMul']) {
      const key = `wasm_${name}`;
      const kernel = registry.get(key);
      if (kernel === undefined) continue;
      registry.set(key, {
        ...kernel,
        kernelFunc: () => {
          throw new Error('simulated device loss (browser test)');
        },
      });
      broken++;
    }
    return broken;
  });
}

describe('a backend failing mid-run', () => {
  let context: BrowserContext;

  beforeAll(async () => {
    context = await launchChromium();
  });

  afterAll(async () => {
    await context?.close();
  });

  it('the run goes on on the next backend from its last good iteration, and the app says so', async () => {
    const page = await openPage(context);
    const pageErrors = recordPageErrors(page);
    const workers: Worker[] = [];
    page.on('worker', (worker) => {
      if (isEngineWorker(worker)) workers.push(worker);
    });
    await page.goto(appUrl(TINY));
    await page.getByRole('button', { name: 'Play' }).click();
    await expect.poll(() => iterationCount(page), { timeout: 90_000 }).toBeGreaterThanOrEqual(2);
    expect(await page.locator('.backend-badge .backend-name').textContent()).toBe('WASM');

    expect(await breakWasmMatrixKernels(workers[0])).toBe(2);
    const before = await iterationCount(page);
    const notice = page.getByRole('status', { name: 'Backend fallback' });
    await expect.poll(() => notice.isVisible(), { timeout: 30_000 }).toBe(true);
    const text = (await notice.textContent()) ?? '';
    expect(text).toMatch(
      /^WASM failed mid-run while [a-z ]+ \(iteration \d+\): simulated device loss \(browser test\); continued on CPU\./,
    );
    // The failed iteration is the one after the last report, retried on the CPU.
    const failedAt = Number(/\(iteration (\d+)\)/.exec(text)?.[1]);
    expect(failedAt).toBeGreaterThanOrEqual(before);
    expect(failedAt).toBeLessThanOrEqual(before + 1);
    expect(text).toContain('went back to its last good iteration');

    // It keeps training, on the CPU, with nothing stopped and no error.
    await expect.poll(() => iterationCount(page), { timeout: 90_000 }).toBeGreaterThanOrEqual(failedAt + 2);
    expect(await page.locator('.backend-badge .backend-name').textContent()).toBe('CPU');
    expect(await page.locator('.backend-badge .backend-reason').textContent()).toMatch(
      /^wasm failed mid-run \(simulated device loss \(browser test\)\); continued on cpu$/,
    );
    expect(await page.getByRole('alert').count()).toBe(0);
    expect(workers).toHaveLength(1);
    await screenshot(page, 'backend-fallback');
    await page.getByRole('button', { name: 'Pause' }).click();
    await notice.getByRole('button', { name: 'Dismiss' }).click();
    expect(await notice.count()).toBe(0);
    pageErrors.assertNone();
  });
});
