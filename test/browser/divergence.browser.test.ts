/**
 * Training that diverges, in the real app, from a link alone: a Gaussian model at the highest
 * model learning rate (0.1) judged over 1 000-step episodes blows up in closed loop, and on seed 3
 * its simulated return leaves float32's range at iteration 3 (found by trying seeds with the lab;
 * the same in Node and in Chromium: same WASM binary, same seeded draws). The app says where and
 * why, keeps the reports, resumes with a lower learning rate, and Reset clears everything.
 */
import type { BrowserContext, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { appUrl, iterationCount, launchChromium, openPage, recordPageErrors, screenshot } from './harness';

const DIVERGING =
  '#v=2&it=8&seed=3&be=wasm&init=100&steps=50&ens=2&width=32&fit=20&mb=64&B=32&H=10&psteps=5&evep=2&evlen=1000&lr=0.1&lik=gaussian&plr=0.001';

/** Lines drawn in the Returns chart (by recharts or the app's own SVG chart, whichever draws). */
const drawnLines = (page: Page) =>
  page
    .getByRole('figure', { name: 'Returns' })
    .locator('path.chart-line, path.recharts-line-curve')
    .count();

/** Plays the link until the divergence notice shows; returns it with the iteration it names. */
async function playToDivergence(page: Page) {
  await page.goto(appUrl(DIVERGING));
  await page.getByRole('button', { name: 'Play' }).click();
  const notice = page.getByRole('alert').filter({ hasText: 'Training diverged' });
  await expect.poll(() => notice.isVisible(), { timeout: 150_000 }).toBe(true);
  const text = (await notice.textContent()) ?? '';
  const iteration = Number(/\(iteration (\d+)\)/.exec(text)?.[1]);
  return { notice, text, iteration };
}

describe('divergence in the app', () => {
  let context: BrowserContext;

  beforeAll(async () => {
    context = await launchChromium();
  });

  afterAll(async () => {
    await context?.close();
  });

  it('names the phase and the cause, keeps the reports, resumes with a lower learning rate', async () => {
    const page = await openPage(context);
    const pageErrors = recordPageErrors(page);
    const { notice, text, iteration } = await playToDivergence(page);
    expect(iteration).toBe(3);
    expect(text).toMatch(
      /^Training diverged while evaluating \(iteration 3\): the real or simulated return is not finite\./,
    );
    expect(text).toContain(
      "Likely cause: the model's closed-loop prediction blows up over evaluation.episodeLength (1000 steps): more real data, or a lower model.learningRate.",
    );
    expect(text).toContain('went back to its last good state and paused; the 3 reports so far are kept');
    // Paused, with the three reports drawn, and it stays so.
    await page.waitForTimeout(2_000);
    expect(await iterationCount(page)).toBe(3);
    expect(await page.getByRole('button', { name: 'Play' }).isVisible()).toBe(true);
    expect(await drawnLines(page)).toBeGreaterThan(0);
    await screenshot(page, 'diverged');

    // The lowest model learning rate, then resume: iteration 3 is retried and the run goes on.
    const rate = page.getByLabel('Model learning rate');
    await rate.focus();
    await rate.press('Home');
    expect(await rate.getAttribute('aria-valuetext')).toMatch(/^(1e-5|0\.00001|1\.0e-5)$/);
    expect(new URL(page.url()).hash).toContain('lr=0.00001');
    await notice.getByRole('button', { name: 'Resume with these settings' }).click();
    expect(await notice.count()).toBe(0);
    await expect.poll(() => iterationCount(page), { timeout: 120_000 }).toBeGreaterThanOrEqual(5);
    expect(await page.getByRole('alert').count()).toBe(0);
    await page.getByRole('button', { name: 'Pause' }).click();
    pageErrors.assertNone();
  });

  it('Reset in the notice clears the run', async () => {
    const page = await context.newPage();
    const pageErrors = recordPageErrors(page);
    const { notice, iteration } = await playToDivergence(page);
    expect(iteration).toBe(3);
    expect(await drawnLines(page)).toBeGreaterThan(0);
    await notice.getByRole('button', { name: 'Reset' }).click();
    expect(await notice.count()).toBe(0);
    expect(await iterationCount(page)).toBe(0);
    // The charts catch up with the cleared run on their own schedule: one per task after a frame,
    // at most once a second (app/playground/useStaggered.ts).
    await expect.poll(() => drawnLines(page), { timeout: 5_000 }).toBe(0);
    expect(await page.getByRole('button', { name: 'Play' }).isVisible()).toBe(true);
    // Nothing runs on after the reset.
    await page.waitForTimeout(2_000);
    expect(await iterationCount(page)).toBe(0);
    pageErrors.assertNone();
    await page.close();
  });
});
