/**
 * The playground with the backend forced to WebGPU by link, in a Chromium launched with
 * --enable-unsafe-webgpu (WebGPU on SwiftShader, a CPU adapter: slow, but real WebGPU). The badge
 * must say WebGPU. Then one of two outcomes, whichever happens, is held to and recorded as a test
 * annotation:
 * - WebGPU trains: play, pause, step and reset work on it as on WASM (app.browser.test.ts);
 * - WebGPU fails on the way: the app says where and why, keeps the page, and "Retry on WASM" falls
 *   back to WASM, where play, pause, step and reset work.
 * Recorded 2026-11-22 with Chromium 156: the second — the run stops while improving the policy
 * with "Failed to execute 'mapAsync' on 'GPUBuffer': A valid external Instance reference no longer
 * exists." (see docs/BENCHMARKS.md, "The app's main thread"). Since the engine falls back mid-run
 * (2026-11-22), the first happens and WebGPU may fail later, after pause, step and reset: the
 * fallback notice must then say so and the badge name the backend the run went on with.
 */
import type { BrowserContext, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { appUrl, launchChromium, openPage, recordPageErrors, screenshot } from './harness';

/** Smaller than the WASM test's config: SwiftShader runs WebGPU on the CPU, far slower. */
const TINY_WEBGPU =
  '#v=1&it=40&be=webgpu&init=50&steps=20&ens=2&width=16&fit=5&mb=32&B=8&H=5&psteps=2&evep=1&evlen=20';

const iterationCount = async (page: Page) =>
  Number(await page.getByTestId('iteration-count').textContent());
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
  await expect.poll(() => page.getByText('ready', { exact: true }).isVisible()).toBe(true);
}

describe('playground on WebGPU', () => {
  let context: BrowserContext;

  beforeAll(async () => {
    context = await launchChromium({ webgpu: true });
  });

  afterAll(async () => {
    await context?.close();
  });

  it('runs on WebGPU, or says why not and falls back to WASM', async ({ annotate }) => {
    const page = await openPage(context);
    const pageErrors = recordPageErrors(page);
    await page.goto(appUrl(TINY_WEBGPU));
    await expect
      .poll(() => page.getByRole('button', { name: 'Play' }).isVisible(), { timeout: 30_000 })
      .toBe(true);
    await page.getByRole('button', { name: 'Play' }).click();
    await expect.poll(() => badge(page).textContent(), { timeout: 60_000 }).toBe('WEBGPU');

    // Either an iteration completes on WebGPU or the run stops with an error.
    const alert = page.getByRole('alert');
    await expect
      .poll(async () => (await iterationCount(page)) >= 1 || (await alert.isVisible()), {
        timeout: 150_000,
        interval: 1_000,
      })
      .toBe(true);
    await screenshot(page, 'app-webgpu');

    if (!(await alert.isVisible())) {
      // WebGPU may still fail later in the run: the engine then goes on with the next backend
      // from its last good iteration (test/browser/backendFallback.browser.test.ts), and says so.
      await pauseStepReset(page, async () => {
        const fallback = page.getByRole('status', { name: 'Backend fallback' });
        if (await fallback.isVisible()) {
          const said = (await fallback.locator('strong').textContent()) ?? '';
          await annotate(`WebGPU (SwiftShader) trained, then failed mid-run: ${said}`);
          expect(said).toMatch(/^WebGPU failed mid-run .*; continued on \w+\.$/);
          expect(await badge(page).textContent()).not.toBe('WEBGPU');
        } else {
          await annotate('WebGPU (SwiftShader) trained: play, pause, step and reset ran on WebGPU');
          expect(await badge(page).textContent()).toBe('WEBGPU');
        }
      });
      // What WebGPU complained about on the way is the engine's to catch, not the page's.
      const uncaught = pageErrors.errors.filter((error) => error.startsWith('uncaught:'));
      expect(uncaught).toEqual([]);
      return;
    }

    // The failure is said where it happened, with a way on; the page stays usable.
    const said = `${await alert.locator('strong').textContent()} ${await alert.locator('.error-text').textContent()}`;
    await annotate(`WebGPU (SwiftShader) started but failed: ${said}; fell back to WASM`);
    expect(said).toMatch(/^The run stopped /);
    expect(await badge(page).textContent()).toBe('WEBGPU');
    await alert.getByRole('button', { name: 'Retry on WASM' }).click();
    expect(page.url()).toContain('be=wasm');
    await expect.poll(() => badge(page).textContent(), { timeout: 60_000 }).toBe('WASM');
    await expect.poll(() => iterationCount(page), { timeout: 60_000 }).toBeGreaterThanOrEqual(1);
    expect(await alert.isVisible()).toBe(false);
    await pauseStepReset(page);
    // The engine's failure is an error the app caught and showed, not an uncaught page error;
    // tfjs may log its own complaint to the console on the way, which is what WebGPU said.
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
    expect(await badge(page).textContent()).not.toBe('WEBGPU');
    const title = (await page.locator('.backend-reason').getAttribute('title')) ?? '';
    expect(title).toMatch(/^webgpu: not timed: its adapter is a fallback adapter/m);
    expect(await page.locator('.backend-reason').textContent()).not.toContain('webgpu');
    await expect.poll(() => iterationCount(page), { timeout: 90_000 }).toBeGreaterThanOrEqual(1);
    pageErrors.assertNone();
    await page.close();
  });
});
