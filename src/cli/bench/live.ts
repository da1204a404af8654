/**
 * `npm run bench -- live [--preset exploit] [--backends wasm,auto] [--timeout 180]`
 *
 * How soon does a newcomer see the exploit? Serves the built app (dist/: run `npm run build`
 * first), opens it on `#v=2&preset=NAME` (with `be=` unless auto) in headless Chromium, presses
 * Play and times, from the click, the backend being chosen, the first progress of iteration 0,
 * and every report as the page's main thread receives it, until the first report whose gap
 * (sim − real) exceeds half of |real return| — the exploit on screen — or the run ends. Each
 * report's own `seconds` and phase timings say where the time went.
 *
 * The page is not instrumented by the app: an init script wraps `Worker` so the bench hears what
 * the engine's worker posts to the app, at the moment the app hears it.
 */
import { cpus, loadavg } from 'node:os';
import type { Page } from 'playwright-core';
import { servePreview } from './smoothness';

interface Heard {
  /** ms since Play was pressed. */
  readonly at: number;
  readonly type: string;
  readonly iteration?: number;
  readonly reason?: string;
  readonly message?: string;
  readonly report?: {
    readonly iteration: number;
    readonly seconds: number;
    readonly timings: { collect: number; fit: number; improve: number; evaluate: number };
    readonly returns: { real: number; sim: number };
    readonly gap: number;
  };
}

declare global {
  interface Window {
    liveProbe?: { clickedAt: number | null; heard: Heard[] };
  }
}

/** What an exploit looks like on screen: the model promises half as much again as the world pays. */
export const EXPLOIT_GAP_SHARE = 0.5;

export interface LiveResult {
  /** Seconds from Play to the worker's backend message, to its first phase event, to the exploit. */
  readonly backendSeconds: number | null;
  readonly firstPhaseSeconds: number | null;
  readonly exploitSeconds: number | null;
  readonly exploitIteration: number | null;
  readonly backendReason: string | null;
  readonly reports: readonly (NonNullable<Heard['report']> & { readonly at: number })[];
  readonly error: string | null;
}

/** Call before `page.goto`: records what the engine's worker posts, timed from Play. */
export async function listenToWorker(page: Page): Promise<void> {
  // No named functions in here: tsx (esbuild's keepNames) would wrap them in a __name helper.
  await page.addInitScript(() => {
    const probe = { clickedAt: null as number | null, heard: [] as Heard[] };
    window.liveProbe = probe;
    const Original = window.Worker;
    window.Worker = class extends Original {
      constructor(url: string | URL, options?: WorkerOptions) {
        super(url, options);
        this.addEventListener('message', (event: MessageEvent) => {
          const data = event.data as {
            type: string;
            iteration?: number;
            choice?: { reason: string };
            message?: string;
            report?: Heard['report'];
          };
          if (probe.clickedAt === null) return;
          if (data.type === 'phase' && probe.heard.some((entry) => entry.type === 'phase')) return;
          const report = data.report;
          probe.heard.push({
            at: performance.now() - probe.clickedAt,
            type: data.type,
            iteration: data.iteration,
            reason: data.choice?.reason,
            message: data.message,
            report:
              report === undefined
                ? undefined
                : {
                    iteration: report.iteration,
                    seconds: report.seconds,
                    timings: report.timings,
                    returns: { real: report.returns.real, sim: report.returns.sim },
                    gap: report.gap,
                  },
          });
        });
      }
    };
  });
}

/**
 * On a page opened after `listenToWorker` with the app ready: presses Play and waits until the
 * first report with gap > EXPLOIT_GAP_SHARE · |real|, the run's end, an error, or the timeout.
 */
export async function timeToExploit(page: Page, timeoutSeconds: number): Promise<LiveResult> {
  const play = page.getByRole('button', { name: 'Play' });
  await play.waitFor({ state: 'visible' });
  await page.evaluate(() => {
    if (window.liveProbe !== undefined) window.liveProbe.clickedAt = performance.now();
  });
  await play.click();
  const done = (heard: readonly Heard[]) =>
    heard.some(
      (entry) =>
        entry.type === 'laneDone' ||
        entry.type === 'error' ||
        (entry.report !== undefined &&
          entry.report.gap > EXPLOIT_GAP_SHARE * Math.abs(entry.report.returns.real)),
    );
  const deadline = Date.now() + timeoutSeconds * 1000;
  let heard: Heard[] = [];
  while (Date.now() < deadline) {
    heard = await page.evaluate(() => window.liveProbe?.heard ?? []);
    if (done(heard)) break;
    await page.waitForTimeout(250);
  }
  const seconds = (entry: Heard | undefined) => (entry === undefined ? null : entry.at / 1000);
  const exploit = heard.find(
    (entry) =>
      entry.report !== undefined &&
      entry.report.gap > EXPLOIT_GAP_SHARE * Math.abs(entry.report.returns.real),
  );
  const backend = heard.find((entry) => entry.type === 'backend');
  return {
    backendSeconds: seconds(backend),
    firstPhaseSeconds: seconds(heard.find((entry) => entry.type === 'phase')),
    exploitSeconds: seconds(exploit),
    exploitIteration: exploit?.report?.iteration ?? null,
    backendReason: backend?.reason ?? null,
    reports: heard.flatMap((entry) =>
      entry.report === undefined ? [] : [{ ...entry.report, at: entry.at }],
    ),
    error: heard.find((entry) => entry.type === 'error')?.message ?? null,
  };
}

interface Options {
  readonly preset: string;
  readonly backends: string[];
  readonly timeout: number;
}

function parseOptions(args: readonly string[]): Options {
  const values = new Map<string, string>();
  for (let i = 0; i < args.length; i += 2) {
    if (!args[i].startsWith('--') || args[i + 1] === undefined)
      throw new Error(`bench live: expected --flag value pairs, got "${args.slice(i).join(' ')}"`);
    values.set(args[i].slice(2), args[i + 1]);
  }
  for (const name of values.keys()) {
    if (!['preset', 'backends', 'timeout'].includes(name))
      throw new Error(`bench live: unknown option --${name}`);
  }
  const timeout = Number(values.get('timeout') ?? 180);
  if (!Number.isFinite(timeout) || timeout <= 0)
    throw new Error('bench live: --timeout must be positive');
  const backends = (values.get('backends') ?? 'wasm,auto').split(',');
  for (const name of backends) {
    if (!['auto', 'wasm', 'webgl', 'webgpu', 'cpu'].includes(name))
      throw new Error(`bench live: unknown backend "${name}"`);
  }
  return { preset: values.get('preset') ?? 'exploit', backends, timeout };
}

const s = (value: number | null) => (value === null ? '–' : value.toFixed(1));

export async function run(args: string[]): Promise<void> {
  const options = parseOptions(args);
  const { launchBenchChromium } = await import('./modelPage');
  const server = await servePreview();
  const lines: string[] = [];
  let version = 'Chromium';
  try {
    for (const backend of options.backends) {
      const context = await launchBenchChromium(backend === 'webgpu');
      try {
        version = context.browser()?.version() ?? version;
        const page = context.pages()[0] ?? (await context.newPage());
        await page.setViewportSize({ width: 1280, height: 720 });
        await listenToWorker(page);
        const hash = `#v=2&preset=${options.preset}${backend === 'auto' ? '' : `&be=${backend}`}`;
        await page.goto(new URL(hash, server.url).toString());
        const load = loadavg()[0];
        const result = await timeToExploit(page, options.timeout);
        lines.push(
          `### be=${backend} (${hash}), load average ${load.toFixed(2)} → ${loadavg()[0].toFixed(2)}`,
          '',
          `Play → backend chosen ${s(result.backendSeconds)} s → first progress of iteration 0 ${s(result.firstPhaseSeconds)} s → ` +
            (result.exploitSeconds === null
              ? `no report with gap > ${EXPLOIT_GAP_SHARE * 100} % of |real| within ${options.timeout} s`
              : `gap > ${EXPLOIT_GAP_SHARE * 100} % of |real| at iteration ${result.exploitIteration}, ${s(result.exploitSeconds)} s after Play`),
          ...(result.backendReason === null ? [] : [`backend: ${result.backendReason}`]),
          ...(result.error === null ? [] : [`error: ${result.error}`]),
          '',
          '| iteration | heard at s | report seconds | collect | fit | improve | evaluate | real | sim | gap / abs(real) |',
          '|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|',
          ...result.reports.map(
            (r) =>
              `| ${r.iteration} | ${(r.at / 1000).toFixed(1)} | ${r.seconds.toFixed(1)} | ${r.timings.collect.toFixed(2)} | ${r.timings.fit.toFixed(2)} | ` +
              `${r.timings.improve.toFixed(2)} | ${r.timings.evaluate.toFixed(2)} | ${r.returns.real.toFixed(0)} | ${r.returns.sim.toFixed(0)} | ` +
              `${((100 * r.gap) / Math.abs(r.returns.real)).toFixed(0)} % |`,
          ),
          '',
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
    `Time to the exploit on screen, preset ${options.preset}, headless ${version}, ${cpus().length} cores, ` +
      `${new Date().toISOString().slice(0, 10)}; seconds from pressing Play, as the page's main thread hears the worker:`,
  );
  console.log('');
  for (const line of lines) console.log(line);
}
