/**
 * Lessons and the classroom keys, under a strict Content-Security-Policy (no inline scripts or
 * styles, fonts and everything else from our own origin): a bare lesson link sets its step's
 * preset up; stepping through a lesson changes the preset and the config on screen and the link
 * follows; the equation is typeset by KaTeX; the figures a step quotes are the run's own, the
 * same the charts show; `hide=` hides control groups, and a lesson keeps them hidden.
 */
import type { BrowserContext, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { appUrl, iterationCount, launchChromium, openPage, recordPageErrors, screenshot } from './harness';

/** Refused resources are logged as console errors, which every test asserts are none. */
const STRICT_CSP = [
  "default-src 'self'",
  "script-src 'self' 'wasm-unsafe-eval'",
  "style-src 'self'",
  "font-src 'self'",
  "img-src 'self' data: blob:",
  "worker-src 'self'",
  "connect-src 'self'",
  "object-src 'none'",
  "base-uri 'none'",
].join('; ');

async function withStrictCsp(context: BrowserContext): Promise<void> {
  const origin = new URL(appUrl()).origin;
  await context.route(
    (url) => url.origin === origin,
    async (route) => {
      const response = await route.fetch();
      await route.fulfill({
        response,
        headers: { ...response.headers(), 'content-security-policy': STRICT_CSP },
      });
    },
  );
}

const lessonKicker = (page: Page) => page.locator('.lesson-kicker').textContent();
const slider = (page: Page, name: string) =>
  page.getByRole('slider', { name }).getAttribute('aria-valuetext');
/** The numbers in a text, as written ("1,234" and "-0.5" alike). */
const numbersIn = (text: string) =>
  [...text.matchAll(/-?[\d,]*\.?\d+(?:e[-+]?\d+)?/g)].map((m) => Number(m[0].replace(/,/g, '')));

describe('lessons', () => {
  let context: BrowserContext;

  beforeAll(async () => {
    context = await launchChromium();
    await withStrictCsp(context);
  });

  afterAll(async () => {
    await context?.close();
  });

  it('sets up each step, typesets its equation, and quotes the run on screen', async () => {
    const page = await openPage(context);
    const pageErrors = recordPageErrors(page);
    await page.goto(appUrl('#lesson=1'));

    // A bare lesson link sets the first step's experiment up: the exploit preset, on screen.
    const panel = page.getByRole('region', { name: 'Lesson' });
    await expect.poll(() => lessonKicker(page)).toBe('Lesson 1 of 7 · step 1 of 3');
    await expect.poll(() => page.getByLabel('Preset').inputValue()).toBe('exploit');
    expect(await slider(page, 'Model width')).toBe('64');
    expect(page.url()).toContain('preset=exploit');
    expect(page.url()).toMatch(/lesson=1(&|$)/);

    // KaTeX typeset the equation; its layout styles were set, not refused by the policy.
    const equation = panel.locator('.lesson-equation .katex-display');
    await expect.poll(() => equation.count(), { timeout: 10_000 }).toBe(1);
    const laidOut = equation.locator('.katex-html span[style*="height"]');
    expect(await laidOut.count()).toBeGreaterThan(0);
    const height = await laidOut
      .first()
      .evaluate((element) => (element as HTMLElement).style.height);
    expect(height).toMatch(/em$/);
    expect(await equation.locator('math').count()).toBe(1);

    // The next step keeps the experiment; the link names the step.
    await panel.getByRole('button', { name: 'Next step →' }).click();
    await expect.poll(() => lessonKicker(page)).toBe('Lesson 1 of 7 · step 2 of 3');
    expect(page.url()).toContain('lesson=1.2');
    expect(await page.getByLabel('Preset').inputValue()).toBe('exploit');

    // Lesson 2, step 2 changes the preset, and the config shown with it.
    await page.getByRole('combobox', { name: 'Lesson', exact: true }).selectOption('2');
    await expect.poll(() => lessonKicker(page)).toBe('Lesson 2 of 7 · step 1 of 3');
    await panel.getByRole('button', { name: 'Next step →' }).click();
    await expect.poll(() => page.getByLabel('Preset').inputValue()).toBe('healthy');
    expect(await slider(page, 'Random steps first')).toBe('2,000');
    expect(page.url()).toContain('preset=healthy');
    expect(page.url()).toContain('lesson=2.2');
    await expect
      .poll(() => panel.locator('.lesson-figures-head').textContent())
      .toContain('nothing yet');

    // One iteration: the figures the step quotes are the run's, as the chart shows them.
    await page.getByRole('button', { name: 'Step', exact: true }).click();
    await expect.poll(() => iterationCount(page), { timeout: 90_000 }).toBe(1);
    await expect
      .poll(() => panel.locator('.lesson-figures-head').textContent())
      .toContain('iteration 1');
    // The charts redraw one per task after a report: wait for this one's caption.
    const captionOf = () =>
      page
        .getByRole('figure', { name: 'Model error (log scale)' })
        .locator('.card-meta')
        .textContent();
    await expect.poll(captionOf).toMatch(/^on-policy \S+ · uniform \S+$/);
    const caption = await captionOf();
    const [onPolicy, uniform] = numbersIn(caption ?? '');
    const quoted = async (series: string) =>
      numbersIn((await panel.locator(`[data-figure="${series}"] dd`).textContent()) ?? '')[0];
    expect(await quoted('onPolicy')).toBeCloseTo(onPolicy, 2);
    expect(await quoted('uniform')).toBeCloseTo(uniform, 2);
    await screenshot(page, 'lesson-2-step-2');

    // The objectives' lessons start from their presets, which the link reader knows.
    for (const [lesson, preset] of [
      ['3', 'adversary'],
      ['4', 'mnm'],
      ['5', 'stackelberg'],
    ]) {
      await page.getByRole('combobox', { name: 'Lesson', exact: true }).selectOption(lesson);
      await expect.poll(() => page.getByLabel('Preset').inputValue()).toBe(preset);
    }
    expect(await page.getByText(/The link was read with/).count()).toBe(0);

    await panel.getByRole('button', { name: 'Close the lesson' }).click();
    await expect.poll(() => panel.count()).toBe(0);
    expect(page.url()).not.toContain('lesson=');
    pageErrors.assertNone();
  });

  it('says so when a link asks for a step the lesson does not have, and keeps its notices', async () => {
    for (const [hash, asked] of [
      ['#v=2&lesson=1.4', '4'],
      ['#lesson=1.99999999', '99999999'],
    ]) {
      const page = await context.newPage();
      const pageErrors = recordPageErrors(page);
      await page.goto(appUrl(hash));
      await expect.poll(() => lessonKicker(page)).toBe('Lesson 1 of 7 · step 3 of 3');
      const note = page.getByRole('status', { name: 'Lesson step' });
      await expect.poll(() => note.isVisible()).toBe(true);
      expect(await note.textContent()).toContain(
        `The link asks for step ${asked} of lesson 1, which has 3 steps: this is step 3, its last.`,
      );
      if (asked === '4') await screenshot(page, 'lesson-step-past-the-end');
      // Until dismissed the link stays as written; then it names the step on screen.
      expect(page.url()).toContain(`lesson=1.${asked}`);
      await note.getByRole('button', { name: 'Dismiss' }).click();
      await expect.poll(() => note.count()).toBe(0);
      expect(page.url()).toMatch(/lesson=1\.3(&|$)/);
      pageErrors.assertNone();
      await page.close();
    }

    // A bare lesson link sets its step up; what else the link said is still reported.
    const page = await context.newPage();
    await page.goto(appUrl('#lesson=1&hide=bogus'));
    await expect.poll(() => lessonKicker(page)).toBe('Lesson 1 of 7 · step 1 of 3');
    await expect.poll(() => page.getByText(/The link was read with one change/).count()).toBe(1);
    expect(await page.getByText(/hide=bogus is not valid/).count()).toBe(1);
    await page.close();
  });

  it('hides the control groups hide= names, and a lesson keeps them hidden', async () => {
    const page = await context.newPage();
    const pageErrors = recordPageErrors(page);
    await page.goto(appUrl('#v=2&preset=exploit&hide=model,data'));
    await expect.poll(() => page.getByLabel('Environment', { exact: true }).isVisible()).toBe(true);
    expect(await page.getByRole('slider', { name: 'Model width' }).count()).toBe(0);
    expect(await page.getByRole('slider', { name: 'Real steps per iteration' }).count()).toBe(0);
    expect(await page.getByRole('combobox', { name: 'Reward', exact: true }).count()).toBe(1);

    await page.getByRole('combobox', { name: 'Lesson', exact: true }).selectOption('2');
    await page.getByRole('button', { name: 'Next step →' }).click();
    await expect.poll(() => page.getByLabel('Preset').inputValue()).toBe('healthy');
    expect(page.url()).toContain('hide=model,data');
    expect(await page.getByRole('slider', { name: 'Model width' }).count()).toBe(0);
    pageErrors.assertNone();
    await page.close();
  });
});
