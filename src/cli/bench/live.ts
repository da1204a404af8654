/**
 * `npm run bench -- live [--scenarios defaults,compare,exploit] [--backends wasm,auto] [--timeout 180]`
 *
 * How soon does the app answer? Serves the built app (dist/: run `npm run build` first), opens
 * it on each scenario's link (with `be=` unless auto) in headless Chromium, presses Play and
 * times, from the click, the backend being chosen, the first progress of iteration 0, and every
 * report as the page's main thread receives it (in compare mode every lane's), until the third
 * report — and, for the exploit scenario, until the first report whose gap (sim − real) exceeds
 * half of |real return|, the exploit on screen — or the run ends. Each report's own `seconds`
 * and phase timings say where the time went.
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
  readonly lane?: { readonly variant: number; readonly seedIndex: number } | null;
  readonly status?: string;
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
    liveProbe?: { clickedAt: number | null; preparedAt: number | null; heard: Heard[] };
  }
}

/** What an exploit looks like on screen: the model promises half as much again as the world pays. */
export const EXPLOIT_GAP_SHARE = 0.5;

export interface LiveResult {
  /** Seconds from Play to the worker's backend message, to its first phase event, to the exploit. */
  readonly backendSeconds: number | null;
  /** Seconds from opening the page to the backend chosen before Play (null: not heard in time). */
  readonly preparedSeconds: number | null;
  readonly firstPhaseSeconds: number | null;
  readonly exploitSeconds: number | null;
  readonly exploitIteration: number | null;
  readonly backendReason: string | null;
  readonly reports: readonly (NonNullable<Heard['report']> & {
    readonly at: number;
    readonly lane: NonNullable<Heard['lane']> | null;
  })[];
  readonly error: string | null;
}

/** Call before `page.goto`: records what the engine's worker posts, timed from Play. */
export async function listenToWorker(page: Page): Promise<void> {
  // No named functions in here: tsx (esbuild's keepNames) would wrap them in a __name helper.
  await page.addInitScript(() => {
    const probe = {
      clickedAt: null as number | null,
      preparedAt: null as number | null,
      heard: [] as Heard[],
    };
    window.liveProbe = probe;
    const Original = window.Worker;
    window.Worker = class extends Original {
      constructor(url: string | URL, options?: WorkerOptions) {
        super(url, options);
        this.addEventListener('message', (event: MessageEvent) => {
          const posted = event.data as {
            type: string;
            lane?: { variant: number; seedIndex: number } | null;
            status?: string;
            choice?: { reason: string };
            message?: string;
            event?: { kind: string; iteration?: number; report?: Heard['report'] & { iteration: number } };
          };
          // An engine event ({type: 'event', event}) is heard under its kind: phase, report, ….
          const engineEvent = posted.type === 'event' ? posted.event : undefined;
          const data = {
            ...posted,
            type: engineEvent?.kind ?? posted.type,
            iteration: engineEvent?.iteration ?? engineEvent?.report?.iteration,
            report: engineEvent?.report,
          };
          if (data.type === 'prepared' && probe.preparedAt === null)
            probe.preparedAt = performance.now();
          if (probe.clickedAt === null) return;
          if (data.type === 'phase' && probe.heard.some((entry) => entry.type === 'phase')) return;
          const report = data.report;
          probe.heard.push({
            at: performance.now() - probe.clickedAt,
            type: data.type,
            lane: data.lane ?? null,
            status: data.status,
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

/** What a scenario waits for: this many reports, and the exploit if asked. */
export interface Wait {
  readonly reports: number;
  readonly exploit: boolean;
}

const isExploit = (entry: Heard) =>
  entry.report !== undefined &&
  entry.report.gap > EXPLOIT_GAP_SHARE * Math.abs(entry.report.returns.real);

/**
 * On a page opened after `listenToWorker` with the app ready: presses Play and waits until
 * `wait` is met, the run ends or fails, or the timeout.
 */
export async function timeToReports(
  page: Page,
  wait: Wait,
  timeoutSeconds: number,
): Promise<LiveResult> {
  const play = page.getByRole('button', { name: 'Play' });
  await play.waitFor({ state: 'visible' });
  // As a reader would, Play is pressed once the page has chosen its backend (or after 30 s).
  const preparedBy = Date.now() + 30_000;
  let preparedAt: number | null = null;
  while (preparedAt === null && Date.now() < preparedBy) {
    preparedAt = await page.evaluate(() => window.liveProbe?.preparedAt ?? null);
    if (preparedAt === null) await page.waitForTimeout(100);
  }
  await page.evaluate(() => {
    if (window.liveProbe !== undefined) window.liveProbe.clickedAt = performance.now();
  });
  await play.click();
  const over = (heard: readonly Heard[]) =>
    heard.some(
      (entry) =>
        entry.type === 'error' ||
        (entry.type === 'status' && ['done', 'stopped', 'failed'].includes(entry.status ?? '')),
    );
  const met = (heard: readonly Heard[]) =>
    heard.filter((entry) => entry.report !== undefined).length >= wait.reports &&
    (!wait.exploit || heard.some(isExploit));
  const deadline = Date.now() + timeoutSeconds * 1000;
  let heard: Heard[] = [];
  while (Date.now() < deadline) {
    heard = await page.evaluate(() => window.liveProbe?.heard ?? []);
    if (met(heard) || over(heard)) break;
    await page.waitForTimeout(100);
  }
  const seconds = (entry: Heard | undefined) => (entry === undefined ? null : entry.at / 1000);
  const exploit = heard.find(isExploit);
  const backend = heard.find((entry) => entry.type === 'backend');
  return {
    backendSeconds: seconds(backend),
    preparedSeconds: preparedAt === null ? null : preparedAt / 1000,
    firstPhaseSeconds: seconds(heard.find((entry) => entry.type === 'phase')),
    exploitSeconds: seconds(exploit),
    exploitIteration: exploit?.report?.iteration ?? null,
    backendReason: backend?.reason ?? null,
    reports: heard.flatMap((entry) =>
      entry.report === undefined
        ? []
        : [{ ...entry.report, at: entry.at, lane: entry.lane ?? null }],
    ),
    error: heard.find((entry) => entry.type === 'error')?.message ?? null,
  };
}

/** A newcomer's first minute, each as a link: what it opens and what it waits for. */
export interface Scenario {
  readonly name: string;
  /** The link's parameters, without `be=`. */
  readonly link: string;
  readonly wait: Wait;
  /** The issue's targets, in seconds from Play (docs/BENCHMARKS.md). */
  readonly firstReportTarget: number | null;
  readonly thirdReportTarget: number | null;
}

export const SCENARIOS: readonly Scenario[] = [
  {
    name: 'defaults',
    link: '',
    wait: { reports: 3, exploit: false },
    firstReportTarget: 3,
    thirdReportTarget: null,
  },
  {
    name: 'compare',
    link: 'v=2&preset=exploit&cmp=obj:policyAware&seeds=2',
    wait: { reports: 3, exploit: false },
    firstReportTarget: null,
    thirdReportTarget: 20,
  },
  {
    name: 'exploit',
    link: 'v=2&preset=exploit',
    wait: { reports: 3, exploit: true },
    firstReportTarget: null,
    thirdReportTarget: null,
  },
];

interface Options {
  readonly scenarios: readonly Scenario[];
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
    if (!['scenarios', 'backends', 'timeout'].includes(name))
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
  const scenarios = (
    values.get('scenarios') ?? SCENARIOS.map((scenario) => scenario.name).join(',')
  )
    .split(',')
    .map((name) => {
      const scenario = SCENARIOS.find((known) => known.name === name);
      if (scenario === undefined)
        throw new Error(
          `bench live: unknown scenario "${name}" (${SCENARIOS.map((known) => known.name).join(', ')})`,
        );
      return scenario;
    });
  return { scenarios, backends, timeout };
}

const s = (value: number | null) => (value === null ? '–' : value.toFixed(1));

/** The scenario's link with the backend: the bare page for the defaults under auto. */
function hashOf(scenario: Scenario, backend: string): string {
  const parts = [scenario.link, backend === 'auto' ? '' : `be=${backend}`].filter(
    (part) => part !== '',
  );
  return parts.length === 0 ? '' : `#${parts.join('&')}`;
}

function targetCell(seconds: number | null, target: number | null): string {
  if (target === null) return s(seconds);
  return `${s(seconds)} (≤ ${target}: ${seconds !== null && seconds <= target ? 'met' : 'missed'})`;
}

export async function run(args: string[]): Promise<void> {
  const options = parseOptions(args);
  const { openAppPage } = await import('./modelPage');
  const server = await servePreview();
  const summary: string[] = [];
  const details: string[] = [];
  let version = 'Chromium';
  try {
    for (const scenario of options.scenarios) {
      for (const backend of options.backends) {
        const { context, page, version: opened } = await openAppPage(backend === 'webgpu');
        try {
          version = opened ?? version;
          await listenToWorker(page);
          const hash = hashOf(scenario, backend);
          await page.goto(new URL(hash === '' ? '/' : hash, server.url).toString());
          const load = loadavg()[0];
          const result = await timeToReports(page, scenario.wait, options.timeout);
          const at = (n: number) =>
            result.reports[n - 1] === undefined ? null : result.reports[n - 1].at / 1000;
          const exploit = !scenario.wait.exploit
            ? ''
            : result.exploitSeconds === null
              ? 'none'
              : `${s(result.exploitSeconds)} (iteration ${result.exploitIteration})`;
          summary.push(
            `| ${scenario.name} | ${hash === '' ? '(no link)' : hash} | ${s(result.preparedSeconds)} | ${s(result.backendSeconds)} | ${targetCell(at(1), scenario.firstReportTarget)} | ` +
              `${targetCell(at(3), scenario.thirdReportTarget)} | ${exploit} | ${load.toFixed(2)} → ${loadavg()[0].toFixed(2)} |`,
          );
          details.push(
            `### ${scenario.name}, ${hash === '' ? '(no link)' : hash}`,
            '',
            ...(result.backendReason === null ? [] : [`backend: ${result.backendReason}`]),
            ...(result.error === null ? [] : [`error: ${result.error}`]),
            `first progress of iteration 0: ${s(result.firstPhaseSeconds)} s after Play`,
            '',
            '| lane | iteration | heard at s | report seconds | collect | fit | improve | evaluate | real | sim | gap / abs(real) |',
            '|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|',
            ...result.reports.map(
              (r) =>
                `| ${r.lane === null ? '–' : `${'ABCDEFGH'[r.lane.variant]}${r.lane.seedIndex}`} | ${r.iteration} | ${(r.at / 1000).toFixed(1)} | ${r.seconds.toFixed(1)} | ${r.timings.collect.toFixed(2)} | ${r.timings.fit.toFixed(2)} | ` +
                `${r.timings.improve.toFixed(2)} | ${r.timings.evaluate.toFixed(2)} | ${r.returns.real.toFixed(0)} | ${r.returns.sim.toFixed(0)} | ` +
                `${((100 * r.gap) / Math.abs(r.returns.real)).toFixed(0)} % |`,
            ),
            '',
          );
          console.error(`measured ${scenario.name} on ${backend}`);
        } finally {
          await context.close();
        }
      }
    }
  } finally {
    await server.close();
  }
  console.log(
    `The app's first answers, headless ${version}, ${cpus().length} cores, ${new Date().toISOString().slice(0, 10)}; ` +
      "seconds from pressing Play, as the page's main thread hears the worker (exploit: the first report with gap > " +
      `${EXPLOIT_GAP_SHARE * 100} % of |real|):`,
  );
  console.log('');
  console.log(
    '| scenario | link | page open → backend chosen s | Play → backend s | first report s | third report s | exploit s | load average |',
  );
  console.log('|---|---|---:|---:|---:|---:|---:|---|');
  for (const line of summary) console.log(line);
  console.log('');
  for (const line of details) console.log(line);
}
