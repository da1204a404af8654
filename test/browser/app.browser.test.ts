/**
 * The playground, as a learner uses it: open a link with a tiny config, press Play, watch the
 * iteration counter, the env view and the charts advance, pause, step one iteration, reset; the
 * keyboard does the same; a config the engine refuses shows an error with a way on, keeping the
 * page. No console or page errors on the way.
 */
import type { BrowserContext, Locator, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { appUrl, iterationCount, launchChromium, openPage, recordPageErrors, screenshot, tinyRunLink } from './harness';

/** About a second per iteration on WASM in headless Chromium. */
const TINY = tinyRunLink(40);

const canvasPixels = (canvas: Locator) =>
  canvas.evaluate((element) => (element as HTMLCanvasElement).toDataURL());
/** The drawn path of the returns chart's first line: it changes when a point is added. */
const returnsPath = (page: Page) =>
  page
    .getByRole('figure', { name: 'Returns' })
    .locator('path.recharts-line-curve')
    .first()
    .getAttribute('d')
    .catch(() => null);

describe('playground', () => {
  let context: BrowserContext;

  beforeAll(async () => {
    context = await launchChromium();
  });

  afterAll(async () => {
    await context?.close();
  });

  it('runs, pauses, steps and resets a tiny experiment from a link', async () => {
    const page = await openPage(context);
    const pageErrors = recordPageErrors(page);
    await page.goto(appUrl(TINY));

    const play = page.getByRole('button', { name: 'Play' });
    await expect.poll(() => play.isVisible()).toBe(true);
    expect(await iterationCount(page)).toBe(0);
    // The link's config is on screen.
    await expect
      .poll(() => page.getByRole('slider', { name: 'Model width' }).getAttribute('aria-valuetext'))
      .toBe('32');

    await play.click();
    await expect
      .poll(() => page.getByText('WASM', { exact: true }).isVisible(), { timeout: 30_000 })
      .toBe(true);
    await expect.poll(() => iterationCount(page), { timeout: 60_000 }).toBeGreaterThanOrEqual(2);
    const pathAt2 = await returnsPath(page);
    expect(pathAt2).toBeTruthy();
    await expect.poll(() => iterationCount(page), { timeout: 60_000 }).toBeGreaterThanOrEqual(4);
    await expect.poll(() => returnsPath(page)).not.toBe(pathAt2);

    // The env view animates the latest episode.
    const envView = page.getByRole('img', { name: /evaluation episode/ });
    const before = await canvasPixels(envView);
    await expect.poll(() => canvasPixels(envView), { timeout: 5_000 }).not.toBe(before);
    await page
      .getByRole('img', { name: /State-space map over/ })
      .hover({ position: { x: 150, y: 100 } });
    await screenshot(page, 'app-training');

    // A chart's exact values on hover (its tooltip is mounted only while pointed at).
    const returnsChart = page.getByRole('figure', { name: 'Returns' });
    await returnsChart.locator('.chart-box').hover({ position: { x: 200, y: 80 } });
    const tooltip = returnsChart.locator('.recharts-tooltip-wrapper');
    await expect.poll(() => tooltip.textContent()).toMatch(/^iteration \d+.*real/);
    await page.mouse.move(0, 0);
    await expect.poll(() => tooltip.count()).toBe(0);

    // Pause: the counter stops.
    await page.getByRole('button', { name: 'Pause' }).click();
    await expect.poll(() => page.getByText(/^paused/).isVisible(), { timeout: 30_000 }).toBe(true);
    const paused = await iterationCount(page);
    await page.waitForTimeout(2_500);
    expect(await iterationCount(page)).toBe(paused);

    // The same lines whoever draws them: SeriesPaths while nobody points at the chart, recharts'
    // own Line once pointed at (app/playground/SeriesPaths.tsx).
    const curves = () =>
      returnsChart
        .locator('path.recharts-line-curve')
        .evaluateAll((paths) => paths.map((path) => path.getAttribute('d') ?? '').sort());
    const quiet = await curves();
    expect(quiet.length).toBeGreaterThanOrEqual(2);
    await returnsChart.locator('.chart-box').hover({ position: { x: 200, y: 80 } });
    await expect.poll(() => tooltip.count()).toBe(1);
    expect(await curves()).toEqual(quiet);
    await page.mouse.move(0, 0);

    // Step: exactly one more iteration, then paused again.
    await page.getByRole('button', { name: 'Step' }).click();
    await expect.poll(() => iterationCount(page), { timeout: 30_000 }).toBe(paused + 1);
    await page.waitForTimeout(2_500);
    expect(await iterationCount(page)).toBe(paused + 1);
    await expect.poll(() => page.getByRole('button', { name: 'Play' }).isVisible()).toBe(true);

    // The keyboard: S steps, Space plays and pauses.
    await page.locator('body').click({ position: { x: 5, y: 5 } });
    await page.keyboard.press('s');
    await expect.poll(() => iterationCount(page), { timeout: 30_000 }).toBe(paused + 2);
    await page.keyboard.press(' ');
    await expect.poll(() => page.getByRole('button', { name: 'Pause' }).isVisible()).toBe(true);
    await expect.poll(() => iterationCount(page), { timeout: 30_000 }).toBeGreaterThan(paused + 2);
    await page.keyboard.press(' ');
    await expect
      .poll(() => page.getByRole('button', { name: 'Play' }).isVisible(), { timeout: 30_000 })
      .toBe(true);

    // A changed knob that shapes the model waits for a confirmed restart, and is named.
    await page.getByRole('combobox', { name: 'Activation' }).selectOption('tanh');
    expect(page.url()).toContain('act=tanh');
    await expect
      .poll(() => page.getByText('Activation: this change applies to a new run.').isVisible())
      .toBe(true);
    await page.getByRole('button', { name: 'Undo changes' }).click();
    expect(page.url()).not.toContain('act=tanh');

    // Reset clears the run.
    await page.getByRole('button', { name: 'Reset' }).click();
    await expect.poll(() => iterationCount(page)).toBe(0);
    await expect.poll(() => page.getByText(/^ready: about/).isVisible()).toBe(true);

    // A preset replaces the config, and the link says so; Share copies that link.
    await page.getByRole('combobox', { name: 'Preset' }).selectOption('exploit');
    await expect.poll(() => page.url()).toContain('preset=exploit');
    await expect.poll(() => page.getByText(/The exploit:/).isVisible()).toBe(true);
    await context.grantPermissions(['clipboard-read', 'clipboard-write'], {
      origin: new URL(page.url()).origin,
    });
    await page.getByRole('button', { name: 'Share' }).click();
    await expect.poll(() => page.getByText('Link copied').isVisible()).toBe(true);
    expect(await page.evaluate(() => navigator.clipboard.readText())).toBe(page.url());

    pageErrors.assertNone();
  });

  it('shows what the link changed and a refused config as an error with a way on', async () => {
    const page = await context.newPage();
    const pageErrors = recordPageErrors(page);
    // More CEM elites than its population is refused by the engine; width=9999 is clamped by the link reader.
    await page.goto(appUrl(`${TINY}&width=9999&opt=cem&pop=8&elite=100`));
    await expect
      .poll(() => page.getByText(/width=9999 is above the maximum/).isVisible())
      .toBe(true);
    await page.getByRole('button', { name: 'Dismiss' }).click();
    await page.getByRole('button', { name: 'Play' }).click();
    const alert = page.getByRole('alert');
    await expect.poll(() => alert.isVisible(), { timeout: 30_000 }).toBe(true);
    expect(await alert.textContent()).toMatch(/cem/);
    await expect
      .poll(() => alert.getByRole('button', { name: 'Retry', exact: true }).isVisible())
      .toBe(true);
    // The page is still there: the controls still work. The other way on, another backend
    // (plain Retry is taken in workerDeath.browser.test.ts), goes on the link too.
    await page.getByRole('combobox', { name: 'Policy optimiser' }).selectOption('gradient');
    await alert.getByRole('button', { name: 'Retry on CPU' }).click();
    expect(page.url()).toContain('be=cpu');
    await expect.poll(() => iterationCount(page), { timeout: 90_000 }).toBeGreaterThanOrEqual(1);
    expect(await page.locator('.backend-badge .backend-name').textContent()).toBe('CPU');
    pageErrors.assertNone();
    await page.close();
  });

  it('keeps a link it cannot read in the address bar until something is changed', async () => {
    const page = await context.newPage();
    const pageErrors = recordPageErrors(page);
    const hashNow = () => new URL(page.url()).hash;
    // "Reload the page to get the latest app" needs the link still there to reload.
    await page.goto(appUrl('#v=999&seed=5&it=7'));
    await expect
      .poll(() => page.getByText(/made by a newer version of the app/).isVisible())
      .toBe(true);
    await page.waitForTimeout(500);
    expect(hashNow()).toBe('#v=999&seed=5&it=7');
    // Pasted into the address bar of the open page: the same.
    await page.evaluate(() => (window.location.hash = '#v=0&width=64'));
    await expect
      .poll(() => page.getByText(/made by an older version of the app/).isVisible())
      .toBe(true);
    await page.waitForTimeout(500);
    expect(hashNow()).toBe('#v=0&width=64');
    // A change of the user's own makes the link the config on screen.
    await page.getByLabel('Preset').selectOption('exploit');
    await expect.poll(hashNow).toBe('#v=2&preset=exploit');
    pageErrors.assertNone();
    await page.close();
  });

  it('chooses a backend by itself under auto and says why', async () => {
    const page = await context.newPage();
    const pageErrors = recordPageErrors(page);
    await page.goto(appUrl(TINY.replace('&be=wasm', '')));
    await page.getByRole('button', { name: 'Step' }).click();
    await expect.poll(() => iterationCount(page), { timeout: 90_000 }).toBe(1);
    const reason = await page.locator('.backend-reason').textContent();
    // Timed on this config's own workload (TINY: mb=64, B=32, H=10, ens=2, width=32), the
    // backend shown among those that ran it, with their times.
    const badge = (await page.locator('.backend-name').textContent())?.toLowerCase() ?? '';
    expect(reason).toMatch(
      new RegExp(`^${badge}: (fastest|kept \\([^)]*\\)) on this config's workload \\(best of 3: \\d+(\\.\\d)? ms vs `),
    );
    expect(reason).toContain(
      'one run: a fit step at minibatch 64 and 32 imagined rollouts of 10 steps through 2 × 2×32 MLPs',
    );
    pageErrors.assertNone();
    await page.close();
  });

  it('fits a phone screen without sideways scrolling', async () => {
    const page = await context.newPage();
    const pageErrors = recordPageErrors(page);
    await page.setViewportSize({ width: 390, height: 844 });
    await page.goto(appUrl(TINY));
    await page.getByRole('button', { name: 'Step' }).click();
    await expect.poll(() => iterationCount(page), { timeout: 60_000 }).toBe(1);
    const overflow = await page.evaluate(
      () => document.documentElement.scrollWidth - document.documentElement.clientWidth,
    );
    expect(overflow).toBe(0);
    await screenshot(page, 'app-phone');
    pageErrors.assertNone();
    await page.close();
  });
});
