/**
 * The first screen, as a person uses it: pick an env by its label, press Play, watch it move,
 * read the observation change, take over with the keyboard; no console or page errors on the way.
 */
import type { BrowserContext, Locator, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { getEnv } from '../../src/envs';
import { appUrl, launchChromium, openPage, recordPageErrors, screenshot } from './harness';

const canvasPixels = (canvas: Locator) =>
  canvas.evaluate((element) => (element as HTMLCanvasElement).toDataURL());

async function observationRows(page: Page): Promise<{ name: string; value: string }[]> {
  const rows = page.getByRole('table', { name: 'Observation' }).locator('tbody').getByRole('row');
  return rows.evaluateAll((elements) =>
    elements.map((row) => ({
      name: row.querySelector('th')?.textContent ?? '',
      value: row.querySelector('td')?.textContent ?? '',
    })),
  );
}

describe('first screen', () => {
  let context: BrowserContext;

  beforeAll(async () => {
    context = await launchChromium();
  });

  afterAll(async () => {
    await context?.close();
  });

  it('animates the chosen env, shows its observation and obeys the keyboard', async () => {
    const page = await openPage(context);
    const pageErrors = recordPageErrors(page);
    await page.goto(appUrl());
    await page.getByRole('tab', { name: 'Play the env yourself' }).click();

    const envId = 'Acrobot-v1';
    await page.getByRole('combobox', { name: 'Environment' }).selectOption(envId);
    const canvas = page.getByRole('img', { name: /Acrobot-v1/ });
    await expect.poll(() => canvas.isVisible()).toBe(true);

    const { observationNames } = getEnv(envId).spec;
    const before = await observationRows(page);
    expect(before.map((row) => row.name)).toEqual(observationNames);
    const pixelsBefore = await canvasPixels(canvas);

    await page.getByRole('button', { name: 'Play' }).click();
    await expect.poll(() => canvasPixels(canvas), { timeout: 10_000 }).not.toBe(pixelsBefore);
    await expect
      .poll(async () => (await observationRows(page)).map((row) => row.value), { timeout: 10_000 })
      .not.toEqual(before.map((row) => row.value));
    // Let the built-in controller swing the arm for a moment: a screenshot worth looking at.
    await page.waitForTimeout(1_500);
    await screenshot(page, 'first-screen');

    // The arrow keys hand the env to the keyboard and press the matching on-screen button.
    await page.keyboard.down('ArrowRight');
    await expect.poll(() => page.getByRole('radio', { name: 'Keyboard' }).isChecked()).toBe(true);
    await expect
      .poll(() => page.getByRole('button', { name: /Torque \+1/ }).getAttribute('aria-pressed'))
      .toBe('true');
    await page.keyboard.up('ArrowRight');
    await expect
      .poll(() => page.getByRole('button', { name: /No push/ }).getAttribute('aria-pressed'))
      .toBe('true');

    await page.getByRole('button', { name: 'Pause' }).click();
    await expect.poll(() => page.getByRole('button', { name: 'Play' }).isVisible()).toBe(true);

    pageErrors.assertNone();
  });

  it('fits a phone screen without sideways scrolling', async () => {
    const page = await context.newPage();
    const pageErrors = recordPageErrors(page);
    await page.setViewportSize({ width: 390, height: 844 });
    await page.goto(appUrl());
    await page.getByRole('tab', { name: 'Play the env yourself' }).click();
    await page.getByRole('combobox', { name: 'Environment' }).selectOption('CartPole-v1');
    await page.getByRole('button', { name: 'Play' }).click();
    await page.waitForTimeout(800);
    const overflow = await page.evaluate(
      () => document.documentElement.scrollWidth - document.documentElement.clientWidth,
    );
    expect(overflow).toBe(0);
    await screenshot(page, 'first-screen-phone');
    pageErrors.assertNone();
    await page.close();
  });
});
