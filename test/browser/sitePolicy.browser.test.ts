/**
 * The built site keeps to itself: it carries its Content-Security-Policy (vite.config.ts), and
 * while a learner opens it, trains a few iterations, opens a lesson and saves a chart as PNG,
 * every request stays on the app's own origin and nothing breaks the policy — in the page or in
 * the engine's worker, whose policy comes from the headers of its script (each records its
 * `securitypolicyviolation` events; Chromium also logs the page's to the console, which fails the
 * run through recordPageErrors).
 */
import type { BrowserContext, Worker } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { appUrl, isEngineWorker, iterationCount, launchChromium, openPage, recordPageErrors, tinyRunLink } from './harness';

const TINY = tinyRunLink(40);

type Scope = typeof globalThis & { violations?: string[] };

/** Installed in a scope (page or worker): keeps every policy violation it sees. */
function listenForViolations(): void {
  const scope = globalThis as Scope;
  scope.violations = [];
  scope.addEventListener('securitypolicyviolation', (event) => {
    const e = event as SecurityPolicyViolationEvent;
    scope.violations?.push(
      `${e.effectiveDirective} refused ${e.blockedURI} (${e.sourceFile}:${e.lineNumber})`,
    );
  });
}

describe('the built site', () => {
  let context: BrowserContext;

  beforeAll(async () => {
    context = await launchChromium();
  });

  afterAll(async () => {
    await context?.close();
  });

  it('requests nothing from another origin and breaks no rule of its policy', async () => {
    const page = await openPage(context);
    const pageErrors = recordPageErrors(page);
    const origin = new URL(appUrl()).origin;
    const requests: string[] = [];
    context.on('request', (request) => requests.push(request.url()));
    await page.addInitScript(listenForViolations);
    // The worker's listener must be there before its first line runs (a violation may happen as
    // its modules load): it is put in front of the worker's script as it is served, the script
    // and its headers (the worker's own policy) otherwise untouched.
    await page.route(/\/assets\/worker-[^/]*\.js$/, async (route) => {
      const response = await route.fetch();
      const body = `(${listenForViolations.toString()})();\n${await response.text()}`;
      await route.fulfill({ response, body });
    });
    const workers: Worker[] = [];
    page.on('worker', (worker) => {
      if (isEngineWorker(worker)) workers.push(worker);
    });
    await page.goto(appUrl(TINY));

    const policy = await page
      .locator('meta[http-equiv="Content-Security-Policy"]')
      .getAttribute('content');
    expect(policy).toContain("script-src 'self' 'wasm-unsafe-eval'");
    expect(policy).toContain("connect-src 'self'");
    expect(policy).not.toMatch(/'unsafe-inline'|(?<!wasm-)'unsafe-eval'|\*/);

    await page.getByRole('button', { name: 'Play' }).click();
    await expect.poll(() => iterationCount(page), { timeout: 90_000 }).toBeGreaterThanOrEqual(2);
    await page.getByRole('button', { name: 'Pause' }).click();
    expect(workers).toHaveLength(1);

    // A chart saved as PNG goes through a data: URL image and a blob: download.
    const [download] = await Promise.all([
      page.waitForEvent('download'),
      page.getByRole('button', { name: 'Download Returns as PNG' }).click(),
    ]);
    expect(download.suggestedFilename()).toMatch(/\.png$/);

    // A lesson draws its equations with KaTeX (fonts and styles of our own).
    const lessons = page.getByRole('combobox', { name: 'Lesson' });
    const firstLesson = await lessons.locator('option').nth(1).getAttribute('value');
    if (firstLesson !== null) {
      await lessons.selectOption(firstLesson);
      await expect
        .poll(() => page.locator('.katex').count(), { timeout: 10_000 })
        .toBeGreaterThan(0);
    }

    const pageViolations = await page.evaluate(() => (globalThis as Scope).violations ?? []);
    const workerViolations = (
      await Promise.all(
        workers.map((w) => w.evaluate(() => (globalThis as Scope).violations ?? [])),
      )
    ).flat();
    expect(pageViolations).toEqual([]);
    expect(workerViolations).toEqual([]);

    const foreign = requests.filter((url) => {
      const { protocol, origin: from } = new URL(url);
      return !(from === origin || protocol === 'data:' || protocol === 'blob:');
    });
    expect(foreign).toEqual([]);
    // The worker's own fetches are seen too: tfjs's WASM binary came from the origin.
    expect(
      requests.some((url) => url.startsWith(`${origin}/tfjs-wasm/`) && url.endsWith('.wasm')),
    ).toBe(true);
    console.log(
      `site policy: ${requests.length} requests, all to ${origin}; ${pageViolations.length + workerViolations.length} policy violations (page and ${workers.length} worker)`,
    );
    pageErrors.assertNone();
  });
});
