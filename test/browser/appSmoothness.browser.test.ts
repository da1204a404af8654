/**
 * The main thread stays smooth while the engine trains in its worker: from pressing Play (page
 * load excluded), animation frames keep coming and no task blocks the page for long, over the
 * issue's 20 s window (the same measurement as `npm run bench -- smoothness`, docs/BENCHMARKS.md).
 */
import { loadavg } from 'node:os';
import type { BrowserContext } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { measureSmoothness, SMOOTHNESS_CONFIG } from '../../src/cli/bench/smoothness';
import { appUrl, launchChromium, openPage, recordPageErrors } from './harness';

const SECONDS = 20;
/**
 * What this test guards is behaviour: the engine's work stays off the main thread, so frames keep
 * coming and a report's drawing does not block the page. The regressions it has caught were a
 * long task at every report (charts redrawn whole) and seconds-long stalls (tensor maths on the
 * page). The target itself (≥ 55 frames/s, no task over 50 ms) depends on the machine's
 * load — a clean-clone CI run at load 3.8 on 2 cores saw 58 frames/s with 2 tasks of 51–98 ms —
 * so it is measured by `npm run bench -- smoothness` (docs/BENCHMARKS.md), not asserted here.
 */
const LIMITS = { fps: 40, longestTaskMs: 600, shareOfReportsWithLongTask: 0.1 };

describe('playground smoothness', () => {
  let context: BrowserContext;

  beforeAll(async () => {
    context = await launchChromium();
  });

  afterAll(async () => {
    await context?.close();
  });

  it(`keeps frames coming and long tasks rare while training (${SECONDS} s on WASM)`, async () => {
    const page = await openPage(context);
    const pageErrors = recordPageErrors(page);
    await page.goto(appUrl(`${SMOOTHNESS_CONFIG}&be=wasm`));
    const loadBefore = loadavg()[0];
    const result = await measureSmoothness(page, SECONDS);
    const loadAfter = loadavg()[0];
    const longest = Math.max(0, ...result.longTasks);
    console.log(
      `smoothness: ${result.fps.toFixed(1)} fps, ${result.longTasks.length} long task(s), longest ${longest.toFixed(0)} ms, ` +
        `longest frame ${result.longestFrameMs.toFixed(0)} ms, ${result.iterations} iterations in ${result.seconds.toFixed(1)} s; ` +
        `load average ${loadBefore.toFixed(2)} → ${loadAfter.toFixed(2)}`,
    );
    // The run really trained in the window: reports arrived and were drawn.
    expect(result.iterations).toBeGreaterThanOrEqual(2);
    expect(result.fps).toBeGreaterThanOrEqual(LIMITS.fps);
    expect(longest).toBeLessThanOrEqual(LIMITS.longestTaskMs);
    const tasksOver50Ms = result.longTasks.filter((ms) => ms > 50).length;
    expect(tasksOver50Ms).toBeLessThanOrEqual(
      Math.max(1, LIMITS.shareOfReportsWithLongTask * result.iterations),
    );
    pageErrors.assertNone();
  });
});
