/**
 * `npm run bench -- smoothness [--seconds 20] [--backends idle,wasm,webgpu]`
 *
 * Does the page stay smooth while the engine trains in its worker? Serves the built app (dist/:
 * run `npm run build` first) with `vite preview`, opens it in headless Chromium with a small
 * training config by link, waits until the app is ready, then starts observing and presses Play:
 * for the given seconds it counts requestAnimationFrame callbacks and records every long task
 * (PerformanceObserver 'longtask', main-thread tasks over 50 ms). Page load is not counted.
 * One row per backend; WebGPU runs on SwiftShader with --enable-unsafe-webgpu. The `idle` row is the
 * same page left alone (no Play): the frame rate the machine gives an idle app, for comparison.
 *
 * `measureSmoothness` is shared with test/browser/appSmoothness.browser.test.ts.
 */
import { cpus, loadavg } from 'node:os';
import type { Page } from 'playwright-core';

/**
 * A small training config (about a second per iteration on WASM in headless Chromium), with
 * enough iterations that no run finishes inside a measurement; `be=` is appended per backend.
 */
export const SMOOTHNESS_CONFIG =
  '#v=2&it=500&init=100&steps=50&ens=2&width=32&fit=20&mb=64&B=32&H=10&psteps=5&evep=2&evlen=100';

export interface SmoothnessResult {
  /** Wall time observed, in seconds (performance.now in the page). */
  readonly seconds: number;
  /** requestAnimationFrame callbacks in that time. */
  readonly frames: number;
  readonly fps: number;
  /** The longest gap between two consecutive animation frames, ms. */
  readonly longestFrameMs: number;
  /** Main-thread tasks over 50 ms (the 'longtask' entries), with their durations. */
  readonly longTasks: readonly number[];
  /** Iterations whose report arrived in the window (the on-screen counter). */
  readonly iterations: number;
}

interface SmoothnessProbe {
  start: number;
  frames: number;
  lastFrame: number;
  longestFrame: number;
  longTasks: number[];
  stop: (() => void) | undefined;
  tick: ((now: number) => void) | undefined;
}

declare global {
  interface Window {
    smoothnessProbe?: SmoothnessProbe;
  }
}

const iterationCount = async (page: Page) =>
  Number(await page.getByTestId('iteration-count').textContent());

/**
 * On a page whose app is ready (the Play button shown, nothing running; waits for the charts to
 * be drawn): starts counting animation frames and long tasks, presses Play, waits `seconds`, and
 * returns what it saw. The run keeps going afterwards.
 */
export async function measureSmoothness(
  page: Page,
  seconds: number,
  { play: pressPlay = true }: { readonly play?: boolean } = {},
): Promise<SmoothnessResult> {
  const play = page.getByRole('button', { name: 'Play' });
  await play.waitFor({ state: 'visible' });
  // Loaded means the charts are drawn too: they mount one per task after the first frames.
  await page.waitForFunction(() => {
    const cards = document.querySelectorAll('figure.chart-card').length;
    return (
      cards > 0 &&
      document.querySelectorAll('figure.chart-card svg.recharts-surface').length >= cards
    );
  });
  const iterationsBefore = await iterationCount(page);
  // No named functions in here: tsx (esbuild's keepNames) would wrap them in a __name helper
  // that the page does not have. Property assignments stay unnamed.
  await page.evaluate(() => {
    const probe: SmoothnessProbe = {
      start: performance.now(),
      frames: 0,
      lastFrame: performance.now(),
      longestFrame: 0,
      longTasks: [],
      stop: undefined,
      tick: undefined,
    };
    const observer = new PerformanceObserver((list) => {
      for (const entry of list.getEntries()) probe.longTasks.push(entry.duration);
    });
    observer.observe({ type: 'longtask', buffered: false });
    let handle = 0;
    probe.tick = (now: number) => {
      probe.frames += 1;
      probe.longestFrame = Math.max(probe.longestFrame, now - probe.lastFrame);
      probe.lastFrame = now;
      handle = requestAnimationFrame((time) => probe.tick?.(time));
    };
    handle = requestAnimationFrame((time) => probe.tick?.(time));
    probe.stop = () => {
      cancelAnimationFrame(handle);
      // Entries of tasks that ended but were not yet delivered.
      for (const entry of observer.takeRecords()) probe.longTasks.push(entry.duration);
      observer.disconnect();
    };
    window.smoothnessProbe = probe;
  });
  if (pressPlay) await play.click();
  await page.waitForTimeout(seconds * 1000);
  const seen = await page.evaluate(() => {
    const probe = window.smoothnessProbe;
    if (probe === undefined) throw new Error('the smoothness probe is gone (did the page reload?)');
    probe.stop?.();
    const elapsed = (performance.now() - probe.start) / 1000;
    return {
      elapsed,
      frames: probe.frames,
      longestFrame: probe.longestFrame,
      longTasks: probe.longTasks,
    };
  });
  const iterations = (await iterationCount(page)) - iterationsBefore;
  return {
    seconds: seen.elapsed,
    frames: seen.frames,
    fps: seen.frames / seen.elapsed,
    longestFrameMs: seen.longestFrame,
    longTasks: seen.longTasks,
    iterations,
  };
}

/** The backend the badge shows once a run has started (WASM, WEBGPU, …), or null. */
export async function backendShown(page: Page): Promise<string | null> {
  const badge = page.locator('.backend-badge .backend-name');
  const text = (await badge.textContent())?.trim() ?? '';
  return text.startsWith('backend:') || text === '' ? null : text.toLowerCase();
}

interface Options {
  readonly seconds: number;
  /** `idle` is the page without a run: the frame rate this machine gives an idle app. */
  readonly backends: ('idle' | 'wasm' | 'webgpu')[];
}

function parseOptions(args: readonly string[]): Options {
  const values = new Map<string, string>();
  for (let i = 0; i < args.length; i += 2) {
    if (!args[i].startsWith('--') || args[i + 1] === undefined) {
      throw new Error(
        `bench smoothness: expected --flag value pairs, got "${args.slice(i).join(' ')}"`,
      );
    }
    values.set(args[i].slice(2), args[i + 1]);
  }
  for (const name of values.keys()) {
    if (!['seconds', 'backends'].includes(name))
      throw new Error(`bench smoothness: unknown option --${name}`);
  }
  const seconds = Number(values.get('seconds') ?? 20);
  if (!Number.isFinite(seconds) || seconds <= 0)
    throw new Error('bench smoothness: --seconds must be positive');
  const backends = (values.get('backends') ?? 'idle,wasm,webgpu').split(',').map((name) => {
    if (name !== 'idle' && name !== 'wasm' && name !== 'webgpu')
      throw new Error(`bench smoothness: backend "${name}" is idle, wasm or webgpu`);
    return name;
  });
  return { seconds, backends };
}

/** `vite preview` of dist/ on a free port, as the browser tests' global setup does. */
export async function servePreview(): Promise<{ url: string; close: () => Promise<void> }> {
  const { existsSync } = await import('node:fs');
  const { preview } = await import('vite');
  if (!existsSync('dist/index.html'))
    throw new Error('bench smoothness: dist/index.html is missing; run `npm run build` first');
  const server = await preview({
    logLevel: 'warn',
    preview: { host: '127.0.0.1', port: 0, strictPort: false, open: false },
  });
  const url = server.resolvedUrls?.local[0];
  if (url === undefined) {
    await server.close();
    throw new Error('vite preview started but reported no local URL');
  }
  return { url, close: () => server.close() };
}

export async function run(args: string[]): Promise<void> {
  const options = parseOptions(args);
  const { openAppPage } = await import('./modelPage');
  const server = await servePreview();
  const rows: string[] = [];
  const notes: string[] = [];
  let version = 'Chromium';
  try {
    for (const backend of options.backends) {
      // A fresh browser per backend: WebGPU needs its flag, and nothing carries over.
      const { context, page, version: opened } = await openAppPage(backend === 'webgpu');
      try {
        version = opened ?? version;
        await page.goto(
          new URL(
            `${SMOOTHNESS_CONFIG}&be=${backend === 'idle' ? 'wasm' : backend}`,
            server.url,
          ).toString(),
        );
        const load = loadavg()[0];
        const result = await measureSmoothness(page, options.seconds, { play: backend !== 'idle' });
        const shown = (await backendShown(page)) ?? 'not chosen yet';
        const state = (await page.locator('.phase-words').textContent())?.trim() ?? '';
        const alert = page.getByRole('alert');
        if (await alert.isVisible()) {
          notes.push(
            `${backend}: ${(await alert.locator('strong').textContent()) ?? ''} ${(await alert.locator('.error-text').textContent()) ?? ''}`,
          );
        }
        const longest =
          result.longTasks.length === 0 ? '–' : Math.max(...result.longTasks).toFixed(0);
        rows.push(
          `| ${backend === 'idle' ? 'none (idle page, no run)' : backend}${backend === 'idle' || shown === backend ? '' : ` (ran: ${shown})`} | ${result.seconds.toFixed(1)} | ${result.frames} | ` +
            `${result.fps.toFixed(1)} | ${result.longestFrameMs.toFixed(0)} | ${result.longTasks.length} | ${longest} | ` +
            `${result.iterations} | ${state} | ${load.toFixed(2)} → ${loadavg()[0].toFixed(2)} |`,
        );
        console.error(`measured ${backend}`);
      } finally {
        await context.close();
      }
    }
  } finally {
    await server.close();
  }
  console.log(
    `The app's main thread while training, headless ${version}, ${cpus().length} cores, 1280×720, ` +
      `${new Date().toISOString().slice(0, 10)}; config ${SMOOTHNESS_CONFIG}&be=BACKEND; observed from pressing Play ` +
      `(page load excluded):`,
  );
  console.log('');
  console.log(
    '| backend | seconds | frames | fps | longest frame ms | long tasks > 50 ms | longest task ms | iterations | run at the end | load average (1 min, before → after) |',
  );
  console.log('|---|---:|---:|---:|---:|---:|---:|---:|---|---|');
  for (const row of rows) console.log(row);
  if (notes.length > 0) console.log('');
  for (const note of notes) console.log(`The app said on ${note}`);
}
