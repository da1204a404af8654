/**
 * A long training session in the real app: 40 s in `npm test`, 5 minutes under SOAK=1
 * (`npm run build && SOAK=1 npx vitest run --config vitest.browser.config.ts
 * test/browser/soak.browser.test.ts`). The heaps of the page and of the engine worker are read
 * after a full collection (Chromium's CDP: HeapProfiler.collectGarbage, Runtime.getHeapUsage),
 * with the run paused right after a report, at the start, half-way and at the end; so are the
 * worker's tfjs tensors and its WASM memory. The worker must end where it started (the tensor
 * count exactly, its heap within 4 MB). The page keeps every report for the export out of its JS
 * heap (app/playground/reportArchive.ts) and only the bands for the charts: under SOAK=1, over
 * the second half, the page's heap may grow by less than a report's JSON per report (kept as
 * objects, a report cost about four times its JSON). The short run does not get past the page's
 * warm-up (compiled code, recharts' text caches: about 25 kB a report for the first hundred
 * reports, 4 kB after, by heap snapshots), so there the page is only measured.
 */
import { readFile } from 'node:fs/promises';
import type { BrowserContext, CDPSession, Worker } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { appUrl, isEngineWorker, iterationCount, launchChromium, openPage, recordPageErrors, tinyRunLink } from './harness';

const SOAK = process.env.SOAK === '1';
const TRAIN_MS = SOAK ? 5 * 60_000 : 40_000;
const WORKER_HEAP_LIMIT = 4 * 1024 * 1024;

/** The apps' tiny browser config, with iterations enough never to end during the soak. */
const TINY = tinyRunLink(10000);

interface Reading {
  readonly reports: number;
  readonly pageHeap: number;
  readonly workerHeap: number;
  readonly tensors: number;
  readonly tensorBytes: number;
  readonly wasmMemory: number;
}

/** CDP to the engine worker, which Playwright does not expose: attached through the page's session. */
async function workerDevtools(cdp: CDPSession) {
  let sessionId: string | null = null;
  const replies = new Map<number, (result: unknown) => void>();
  cdp.on('Target.attachedToTarget', (event) => {
    if (event.targetInfo.type === 'worker') sessionId = event.sessionId;
  });
  cdp.on('Target.receivedMessageFromTarget', (event) => {
    const reply = JSON.parse(event.message) as { id?: number; result?: unknown; error?: unknown };
    if (reply.id !== undefined) replies.get(reply.id)?.(reply.result ?? reply.error);
  });
  await cdp.send('Target.setAutoAttach', { autoAttach: true, waitForDebuggerOnStart: false, flatten: false });
  await expect.poll(() => sessionId, { timeout: 10_000 }).not.toBeNull();
  let nextId = 1;
  return async <T>(method: string): Promise<T> => {
    const id = nextId++;
    const answered = new Promise<unknown>((resolve) => replies.set(id, resolve));
    await cdp.send('Target.sendMessageToTarget', { sessionId: sessionId ?? '', message: JSON.stringify({ id, method }) });
    return (await answered) as T;
  };
}

describe('soak (browser)', () => {
  let context: BrowserContext;

  beforeAll(async () => {
    context = await launchChromium({ args: ['--js-flags=--expose-gc'] });
  });

  afterAll(async () => {
    await context?.close();
  });

  it(`trains for ${TRAIN_MS / 1000} s: the worker ends where it started, the page grows by its reports only`, async () => {
    const page = await openPage(context);
    const pageErrors = recordPageErrors(page);
    const workers: Worker[] = [];
    page.on('worker', (worker) => {
      if (isEngineWorker(worker)) workers.push(worker);
    });
    await page.goto(appUrl(TINY));
    await page.getByRole('button', { name: 'Play' }).click();
    await expect.poll(() => iterationCount(page), { timeout: 90_000 }).toBeGreaterThanOrEqual(3);
    const cdp = await context.newCDPSession(page);
    const inWorker = await workerDevtools(cdp);

    /** Pauses right after a report (Pause, then Step to the next one) and reads every figure. */
    const read = async (): Promise<Reading> => {
      await page.getByRole('button', { name: 'Pause' }).click();
      await expect.poll(() => page.getByRole('button', { name: 'Play' }).isVisible()).toBe(true);
      const before = await iterationCount(page);
      await page.getByRole('button', { name: 'Step' }).click();
      await expect.poll(() => iterationCount(page), { timeout: 60_000 }).toBe(before + 1);
      await expect.poll(() => page.getByRole('button', { name: 'Play' }).isVisible()).toBe(true);
      await cdp.send('HeapProfiler.collectGarbage');
      const pageHeap = (await cdp.send('Runtime.getHeapUsage')).usedSize;
      await inWorker('HeapProfiler.collectGarbage');
      const workerHeap = (await inWorker<{ usedSize: number }>('Runtime.getHeapUsage')).usedSize;
      const tf = await workers[0].evaluate(() => {
        const engine = (self as unknown as {
          _tfengine: {
            memory(): { numTensors: number; numBytes: number };
            registry: Record<string, { wasm?: { HEAPU8: Uint8Array } }>;
          };
        })._tfengine;
        const { numTensors, numBytes } = engine.memory();
        return { numTensors, numBytes, wasmMemory: engine.registry.wasm?.wasm?.HEAPU8.byteLength ?? 0 };
      });
      return {
        reports: before + 1,
        pageHeap,
        workerHeap,
        tensors: tf.numTensors,
        tensorBytes: tf.numBytes,
        wasmMemory: tf.wasmMemory,
      };
    };

    const start = await read();
    await page.getByRole('button', { name: 'Play' }).click();
    await page.waitForTimeout(TRAIN_MS / 2);
    const middle = await read();
    await page.getByRole('button', { name: 'Play' }).click();
    await page.waitForTimeout(TRAIN_MS / 2);
    const end = await read();

    // The full history, as the user exports it.
    const download = page.waitForEvent('download');
    await page.getByRole('button', { name: 'Export JSON' }).click();
    const exported = JSON.parse(await readFile(await (await download).path(), 'utf8')) as {
      runs: { reports: unknown[] }[];
    };
    const exportedReports = exported.runs[0].reports.length;
    const exportBytes = JSON.stringify(exported.runs[0].reports).length;
    expect(exportedReports).toBe(end.reports);

    const mb = (bytes: number) => (bytes / 1024 / 1024).toFixed(2);
    const signed = (bytes: number) => `${bytes >= 0 ? '+' : ''}${mb(bytes)}`;
    const pagePerReport = (end.pageHeap - middle.pageHeap) / (end.reports - middle.reports);
    const jsonPerReport = exportBytes / exportedReports;
    console.log(
      `soak (browser): ${TRAIN_MS / 1000} s of training, iterations ${start.reports} → ${end.reports}; ` +
        `worker: tensors ${start.tensors} → ${end.tensors} (${mb(start.tensorBytes)} → ${mb(end.tensorBytes)} MB), ` +
        `heap after gc ${mb(start.workerHeap)} → ${mb(end.workerHeap)} MB (${signed(end.workerHeap - start.workerHeap)}), ` +
        `WASM memory ${mb(start.wasmMemory)} → ${mb(end.wasmMemory)} MB; ` +
        `page: heap after gc ${mb(start.pageHeap)} → ${mb(middle.pageHeap)} → ${mb(end.pageHeap)} MB at iterations ` +
        `${start.reports}, ${middle.reports}, ${end.reports} (${(pagePerReport / 1024).toFixed(1)} kB per report over the second half); ` +
        `export: ${exportedReports} reports, ${(jsonPerReport / 1024).toFixed(1)} kB of JSON each`,
    );
    expect(end.reports).toBeGreaterThan(start.reports + 5);
    expect(end.tensors).toBe(start.tensors);
    expect(end.tensorBytes).toBe(start.tensorBytes);
    expect(end.workerHeap - start.workerHeap).toBeLessThan(WORKER_HEAP_LIMIT);
    if (SOAK) expect(pagePerReport).toBeLessThan(jsonPerReport);
    pageErrors.assertNone();
  }, TRAIN_MS + 120_000);
});
