/**
 * The playground with the backend forced to WebGPU by link, in a Chromium launched with
 * --enable-unsafe-webgpu (WebGPU on SwiftShader, a CPU adapter: slow, but real WebGPU). The badge
 * must say WebGPU and the fused WGSL path its imagined gradient steps take, and play, pause, step and reset must work on it as on WASM
 * (app.browser.test.ts), with no fallback to another backend and nothing from WebGPU's validation
 * in the console.
 *
 * Until 2026-12-05 WebGPU failed here mid-run, for two reasons of the engine's (docs/BENCHMARKS.md,
 * "WebGPU in the worker (SwiftShader)"): a synchronous read (`dataSync`), which tfjs-webgpu does
 * through an OffscreenCanvas WebGPU context whose `getCurrentTexture()` makes this Chromium destroy
 * the device ("A valid external Instance reference no longer exists."); and a `tf.addN` over more
 * than 7 tensors, an invalid pipeline under the default storage-buffer limit, which read back as
 * "non-finite weights". The console check holds both: tfjs warns on the first synchronous read.
 */
import type { BrowserContext, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { appUrl, iterationCount, launchChromium, openPage, recordPageErrors, screenshot } from './harness';

/** Smaller than the WASM test's config: SwiftShader runs WebGPU on the CPU, far slower. */
const TINY_WEBGPU =
  '#v=2&it=40&be=webgpu&init=50&steps=20&ens=2&width=16&fit=5&mb=32&B=8&H=5&psteps=2&evep=1&evlen=20';

const badge = (page: Page) => page.locator('.backend-badge .backend-name');

/**
 * Pause holds the counter, Step adds exactly one iteration, Reset clears the run; `beforeReset`
 * looks at the run while it is still on screen.
 */
async function pauseStepReset(page: Page, beforeReset?: () => Promise<void>): Promise<void> {
  await page.getByRole('button', { name: 'Pause' }).click();
  await expect.poll(() => page.getByText(/^paused/).isVisible(), { timeout: 120_000 }).toBe(true);
  const paused = await iterationCount(page);
  await page.waitForTimeout(2_500);
  expect(await iterationCount(page)).toBe(paused);

  await page.getByRole('button', { name: 'Step' }).click();
  await expect.poll(() => iterationCount(page), { timeout: 120_000 }).toBe(paused + 1);
  await page.waitForTimeout(2_500);
  expect(await iterationCount(page)).toBe(paused + 1);
  await expect.poll(() => page.getByRole('button', { name: 'Play' }).isVisible()).toBe(true);
  await beforeReset?.();

  await page.getByRole('button', { name: 'Reset' }).click();
  await expect.poll(() => iterationCount(page)).toBe(0);
  await expect.poll(() => page.getByText(/^ready: about/).isVisible()).toBe(true);
}

describe('playground on WebGPU', () => {
  let context: BrowserContext;

  beforeAll(async () => {
    context = await launchChromium({ webgpu: true });
  });

  afterAll(async () => {
    await context?.close();
  });

  it('trains on WebGPU through play, pause, step and reset', async () => {
    const page = await openPage(context);
    const pageErrors = recordPageErrors(page);
    // The worker's console comes to the page's: a synchronous read or an invalid pipeline says so.
    const webgpuComplaints: string[] = [];
    page.on('console', (message) => {
      if (
        /synchronously reading data from GPU|Invalid ComputePipeline|exceeds the maximum|Instance reference/.test(
          message.text(),
        )
      )
        webgpuComplaints.push(message.text());
    });
    await page.goto(appUrl(TINY_WEBGPU));
    await expect
      .poll(() => page.getByRole('button', { name: 'Play' }).isVisible(), { timeout: 30_000 })
      .toBe(true);
    await page.getByRole('button', { name: 'Play' }).click();
    // The badge names the fused WGSL path the imagined gradient steps take on WebGPU.
    await expect.poll(() => badge(page).textContent(), { timeout: 60_000 }).toBe('WEBGPU · fused WGSL');

    // An iteration completes on WebGPU, with no error on the way.
    const alert = page.getByRole('alert');
    await expect
      .poll(async () => (await iterationCount(page)) >= 1 || (await alert.isVisible()), {
        timeout: 150_000,
        interval: 1_000,
      })
      .toBe(true);
    await screenshot(page, 'app-webgpu');
    expect((await alert.isVisible()) ? await alert.textContent() : null).toBeNull();

    const fallback = page.getByRole('status', { name: 'Backend fallback' });
    await pauseStepReset(page, async () => {
      expect((await fallback.isVisible()) ? await fallback.textContent() : null).toBeNull();
      expect(await badge(page).textContent()).toBe('WEBGPU · fused WGSL');
    });
    expect(webgpuComplaints).toEqual([]);
    const uncaught = pageErrors.errors.filter((error) => error.startsWith('uncaught:'));
    expect(uncaught).toEqual([]);
  });

  it('under auto, leaves out a fallback (software) WebGPU adapter and says so', async () => {
    const page = await context.newPage();
    const pageErrors = recordPageErrors(page);
    await page.goto(appUrl(TINY_WEBGPU.replace('&be=webgpu', '')));
    await page.getByRole('button', { name: 'Play' }).click();
    await expect
      .poll(async () => (await badge(page).textContent())?.startsWith('backend:'), {
        timeout: 60_000,
      })
      .toBe(false);
    // SwiftShader is WebGPU's fallback adapter here: not timed, and the reason is on hover.
    expect(await badge(page).textContent()).not.toMatch(/^WEBGPU/);
    const title = (await page.locator('.backend-reason').getAttribute('title')) ?? '';
    expect(title).toMatch(/^webgpu: not timed: its adapter is a fallback adapter/m);
    expect(await page.locator('.backend-reason').textContent()).not.toContain('webgpu');
    await expect.poll(() => iterationCount(page), { timeout: 90_000 }).toBeGreaterThanOrEqual(1);
    pageErrors.assertNone();
    await page.close();
  });
});
