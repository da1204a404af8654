/**
 * A long run in Node: the tiny config for 40 iterations in `npm test`, 1 000 under SOAK=1
 * (`SOAK=1 npx vitest run test/reliability/soak.test.ts`, about 4 minutes). Run in its own
 * process with --expose-gc (soakRun.ts) so the heap is read after a full collection. The tensor
 * count must not move at all after the first report; the heap, once the replay buffer is full and
 * the code warm (from a quarter of the run on), must not grow by more than 2 MB.
 */
import { execFile } from 'node:child_process';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { describe, expect, it } from 'vitest';

const SOAK = process.env.SOAK === '1';
const ITERATIONS = SOAK ? 1_000 : 40;
const HEAP_GROWTH_LIMIT = 2 * 1024 * 1024;

interface SoakResult {
  readonly iterations: number;
  readonly seconds: number;
  readonly tensors: number[];
  readonly heap: [number, number][];
  readonly reportBytes: number[];
}

const root = join(dirname(fileURLToPath(import.meta.url)), '../..');

/** Least-squares slope of y over x. */
function slope(points: readonly [number, number][]): number {
  const n = points.length;
  const mx = points.reduce((s, [x]) => s + x, 0) / n;
  const my = points.reduce((s, [, y]) => s + y, 0) / n;
  const sxy = points.reduce((s, [x, y]) => s + (x - mx) * (y - my), 0);
  const sxx = points.reduce((s, [x]) => s + (x - mx) ** 2, 0);
  return sxx === 0 ? 0 : sxy / sxx;
}

const mb = (bytes: number) => (bytes / 1024 / 1024).toFixed(2);

describe('soak (Node)', () => {
  it(`${ITERATIONS} iterations: the tensor count is flat and the heap bounded`, async () => {
    const { stdout } = await promisify(execFile)(
      process.execPath,
      ['--expose-gc', '--import', 'tsx', 'test/reliability/soakRun.ts', String(ITERATIONS)],
      { cwd: root, maxBuffer: 16 * 1024 * 1024, timeout: SOAK ? 1_700_000 : 110_000 },
    );
    const result = JSON.parse(stdout.trim().split('\n').at(-1) ?? '') as SoakResult;
    expect(result.tensors).toHaveLength(ITERATIONS);
    expect(new Set(result.tensors)).toEqual(new Set([result.tensors[0]]));

    const warm = result.heap.find(([iteration]) => iteration >= ITERATIONS / 4);
    const last = result.heap.at(-1);
    if (warm === undefined || last === undefined) throw new Error('soakRun gave too few heap readings');
    const growth = last[1] - warm[1];
    const secondHalf = result.heap.filter(([iteration]) => iteration >= ITERATIONS / 2);
    const bytesPerIteration = slope(secondHalf);
    const reportTotal = result.reportBytes.reduce((a, b) => a + b, 0);
    console.log(
      `soak (node): ${ITERATIONS} iterations of the tiny config in ${result.seconds.toFixed(0)} s; ` +
        `tensors ${result.tensors[0]} after every report; heap after gc ${mb(result.heap[0][1])} MB after ` +
        `iteration 0, ${mb(warm[1])} MB at iteration ${warm[0]}, ${mb(last[1])} MB at the end ` +
        `(${growth >= 0 ? '+' : ''}${mb(growth)} MB; ${bytesPerIteration.toFixed(0)} B/iteration over the second half); ` +
        `reports ${(reportTotal / result.reportBytes.length / 1024).toFixed(1)} kB of JSON each, ` +
        `${mb(reportTotal)} MB for the run`,
    );
    expect(growth).toBeLessThan(HEAP_GROWTH_LIMIT);
  }, SOAK ? 1_800_000 : 120_000);
});
