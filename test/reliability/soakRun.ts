/**
 * One long run of the tiny config, measured: run by soak.test.ts in its own Node process with
 * --expose-gc, so the heap can be read after a full collection and nothing else in the process
 * (vitest, other tests) moves it. Prints one JSON line on stdout:
 *   { iterations, seconds, tensors: [after each report], heap: [[iteration, bytes after gc]…],
 *     reportBytes: [JSON length of each report] }
 *
 *   node --expose-gc --import tsx test/reliability/soakRun.ts ITERATIONS
 */
import * as tf from '@tensorflow/tfjs';
import '@tensorflow/tfjs-backend-wasm';
import { runExperiment } from '../../src/experiment';
import { tinyConfig } from '../experiment/helpers';

const gc = (globalThis as { gc?: () => void }).gc;
if (gc === undefined) throw new Error('soakRun: run node with --expose-gc');
const iterations = Number(process.argv[2]);
if (!Number.isInteger(iterations) || iterations < 2) throw new Error('soakRun: ITERATIONS, an integer ≥ 2');

/** Heap readings: 20 over the run, plus the last iteration. */
const every = Math.max(1, Math.floor(iterations / 20));

async function main(): Promise<void> {
  await tf.setBackend('wasm');
  await tf.ready();
  const tensors: number[] = [];
  const heap: [number, number][] = [];
  const reportBytes: number[] = [];
  const started = performance.now();
  // Each report is measured and dropped, as a consumer streaming to a file would: the engine's
  // own memory is what is measured here (what the app keeps is measured in the browser soak).
  for await (const event of runExperiment(tinyConfig({ iterations }))) {
    if (event.kind !== 'report') continue;
    const { iteration } = event.report;
    tensors.push(tf.memory().numTensors);
    reportBytes.push(JSON.stringify(event.report).length);
    if (iteration % every === 0 || iteration === iterations - 1) {
      gc?.();
      heap.push([iteration, process.memoryUsage().heapUsed]);
    }
  }
  const seconds = (performance.now() - started) / 1000;
  process.stdout.write(`${JSON.stringify({ iterations, seconds, tensors, heap, reportBytes })}\n`);
}

await main();
