/**
 * Compare mode and seeds, as a learner uses them: a link with two configs that run and one the
 * engine refuses, on two seeds each. Both running configs are drawn in the same charts with
 * their bands and a map each; the refused one says why in its legend entry and the others go on.
 * Then the compare panel builds a comparison by hand, and the link follows.
 */
import { mkdir, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { BrowserContext } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { appUrl, ARTIFACTS_DIR, iterationCount, launchChromium, openPage, recordPageErrors, screenshot, tinyRunLink } from './harness';

const PNG_SIGNATURE = Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]);

/** About a second per iteration and lane on WASM in headless Chromium. */
const TINY = tinyRunLink(2);
/** B: a narrower model; C: more CEM elites than its population, which the loop refuses. */
const COMPARE = `${TINY}&cmp=width:16,opt:cem;pop:8;elite:100&seeds=2`;

describe('compare mode', () => {
  let context: BrowserContext;

  beforeAll(async () => {
    context = await launchChromium();
  });

  afterAll(async () => {
    await context?.close();
  });

  it('draws two configs over each other with bands, a map each, and a refused one apart', async () => {
    const page = await openPage(context);
    const pageErrors = recordPageErrors(page);
    await page.goto(appUrl(COMPARE));
    await page.getByRole('button', { name: 'Play' }).click();
    await expect
      .poll(() => page.getByText('finished').isVisible(), { timeout: 120_000 })
      .toBe(true);
    expect(await iterationCount(page)).toBe(2);

    // The refused config says why, in its own legend entry; the run still finished.
    const legend = page.getByRole('region', { name: 'Compared configs' });
    const refused = legend.locator('li[data-variant="C"]');
    expect(await refused.textContent()).toMatch(/did not run: .*cemElites/);
    expect(await legend.locator('li[data-variant="A"]').textContent()).toContain('Model width 32');
    expect(await legend.locator('li[data-variant="B"]').textContent()).toContain('Model width 16');
    expect(await legend.textContent()).toContain('mean of 2 seeds');
    expect(await page.getByRole('alert').count()).toBe(0);

    // The returns chart: real, sim and oracle for A and for B, distinct; shaded bands over seeds.
    const returns = page.getByRole('figure', { name: 'Returns' });
    const curves = returns.locator('path.recharts-line-curve');
    const drawnPaths = () =>
      curves.evaluateAll((elements) => elements.map((element) => element.getAttribute('d') ?? ''));
    // The charts draw a frame after the last report's text.
    await expect
      .poll(async () => (await drawnPaths()).filter((d) => d.length > 0).length)
      .toBeGreaterThanOrEqual(6);
    const paths = await drawnPaths();
    expect(new Set(paths).size).toBeGreaterThanOrEqual(4);
    expect(await returns.locator('path.recharts-area-area').count()).toBeGreaterThanOrEqual(2);
    const chartLegend = await returns
      .locator('[data-legend-item]')
      .evaluateAll((items) => items.map((item) => (item as HTMLElement).dataset.label));
    expect(chartLegend).toEqual(
      expect.arrayContaining([
        expect.stringMatching(/^A: Model width 32, Policy optimiser Gradient through the model/),
        'B: Model width 16',
        expect.stringMatching(/^C: .*\(failed\)$/),
        'real',
        'sim (in the model)',
      ]),
    );
    expect(await returns.textContent()).toContain('95 % interval over 2 seeds');

    // A map per config, side by side; C's says it did not run.
    for (const letter of ['A', 'B']) {
      await expect
        .poll(() =>
          page.getByRole('img', { name: new RegExp(`^State-space map ${letter} over`) }).count(),
        )
        .toBe(1);
    }
    expect(await page.getByRole('img', { name: /^State-space map C: no report yet/ }).count()).toBe(
      1,
    );
    await screenshot(page, 'compare-two-configs');

    // PNG of the overlaid chart (its SVG and legend redrawn on a canvas) and of B's map.
    for (const name of ['Returns', 'State-space map B']) {
      const [download] = await Promise.all([
        page.waitForEvent('download'),
        page.getByRole('button', { name: `Download ${name} as PNG` }).click(),
      ]);
      const bytes = await readFile(await download.path());
      expect(bytes.subarray(0, 8).equals(PNG_SIGNATURE), name).toBe(true);
      // IHDR: width and height, big-endian, after the signature and the chunk's length and type.
      expect(bytes.readUInt32BE(16), name).toBeGreaterThan(100);
      expect(bytes.readUInt32BE(20), name).toBeGreaterThan(100);
      expect(download.suggestedFilename()).toMatch(/\.png$/);
      await mkdir(ARTIFACTS_DIR, { recursive: true });
      await writeFile(join(ARTIFACTS_DIR, `compare-${download.suggestedFilename()}`), bytes);
    }
    pageErrors.assertNone();
  });

  it('builds a comparison in the panel, and the link carries it', async () => {
    const page = await context.newPage();
    const pageErrors = recordPageErrors(page);
    await page.goto(appUrl(TINY));
    await page.getByRole('button', { name: 'Compare with another config' }).click();
    const configB = page.getByRole('group', { name: 'Config B' });
    await configB.getByLabel('Config B: setting').selectOption({ label: 'Model width' });
    const width = configB.getByLabel('Config B: Model width');
    await width.fill('16');
    await width.press('Enter');
    await expect.poll(() => page.url()).toContain('cmp=width:16');
    await page.getByLabel('Seeds per config').selectOption('3');
    await expect.poll(() => page.url()).toContain('seeds=3');
    // The link opens the same comparison.
    const again = await context.newPage();
    await again.goto(page.url());
    await expect
      .poll(() =>
        again
          .getByRole('group', { name: 'Config B' })
          .getByLabel('Config B: Model width')
          .inputValue(),
      )
      .toBe('16');
    expect(await again.getByLabel('Seeds per config').inputValue()).toBe('3');
    await page.getByRole('button', { name: 'Remove config B' }).click();
    await expect.poll(() => page.url()).not.toContain('cmp=');
    pageErrors.assertNone();
    await again.close();
    await page.close();
  });
});
