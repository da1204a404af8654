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
 * The issue asks for ≥ 55 frames/s and no task over 50 ms. Measured on 2026-12-05 with the
 * benchmark, 2 cores, this test's own worker keeping one busy: at a load average of 1.3–3.5, 0
 * tasks over 50 ms in 16 runs of 17 (the other had one of 65 ms), 59.0–59.8 frames/s; with a
 * CPU-bound process added (load about 4), 57–58 frames/s and 2 tasks of 53 ms. On a quiet
 * machine the test holds the target with room for one such task: ≥ 55 frames/s, at most one task
 * over 50 ms and none over 100 ms. Above a load of 4 every task is stretched by waiting for a
 * core, and only a gross regression is caught: ≥ 40 frames/s, no task over 600 ms (before the
 * charts left recharts' store alone, a run at load 6–8 once saw a 486 ms task).
 */
const QUIET = { fps: 55, longestTaskMs: 100, tasksOver50Ms: 1 };
const BUSY = { fps: 40, longestTaskMs: 600, tasksOver50Ms: Infinity };
const BUSY_LOAD = 4;

describe('playground smoothness', () => {
  let context: BrowserContext;

  beforeAll(async () => {
    context = await launchChromium();
  });

  afterAll(async () => {
    await context?.close();
  });

  it(`keeps frames coming and no task long while training (${SECONDS} s on WASM)`, async () => {
    const page = await openPage(context);
    const pageErrors = recordPageErrors(page);
    await page.goto(appUrl(`${SMOOTHNESS_CONFIG}&be=wasm`));
    const loadBefore = loadavg()[0];
    const result = await measureSmoothness(page, SECONDS);
    const loadAfter = loadavg()[0];
    const busy = loadBefore > BUSY_LOAD;
    const limits = busy ? BUSY : QUIET;
    const longest = Math.max(0, ...result.longTasks);
    console.log(
      `smoothness: ${result.fps.toFixed(1)} fps, ${result.longTasks.length} long task(s), longest ${longest.toFixed(0)} ms, ` +
        `longest frame ${result.longestFrameMs.toFixed(0)} ms, ${result.iterations} iterations in ${result.seconds.toFixed(1)} s; ` +
        `load average ${loadBefore.toFixed(2)} → ${loadAfter.toFixed(2)} (${busy ? 'busy' : 'quiet'} limits)`,
    );
    // The run really trained in the window: reports arrived and were drawn.
    expect(result.iterations).toBeGreaterThanOrEqual(2);
    expect(result.fps).toBeGreaterThanOrEqual(limits.fps);
    expect(longest).toBeLessThanOrEqual(limits.longestTaskMs);
    expect(result.longTasks.filter((ms) => ms > 50).length).toBeLessThanOrEqual(
      limits.tasksOver50Ms,
    );
    pageErrors.assertNone();
  });
});
