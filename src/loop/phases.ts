/**
 * The loop's phases as event streams: long work yields its progress in [0, 1], and the loop turns
 * each yield into a phase event while timing the work alone (not the consumer's pauses).
 */
import { nowMs, secondsSince, type TimedPhase } from '../clock';
import type { StepActor } from '../data/collect';
import { requireFinite } from '../divergence';
import type { ExperimentEvent, Phase } from '../report';

/** Long phases report their progress this many times. */
export const PROGRESS_CHUNKS = 4;

/** Runs `work`, a phase event for each progress it yields, its time added to `timings[phase]`. */
export async function* phaseEvents<T>(
  iteration: number,
  phase: Phase,
  timings: Record<TimedPhase, number>,
  work: AsyncGenerator<number, T, undefined>,
): AsyncGenerator<ExperimentEvent, T, unknown> {
  for (;;) {
    const mark = nowMs();
    const next = await work.next();
    timings[phase] += secondsSince(mark);
    if (next.done === true) return next.value;
    yield { kind: 'phase', iteration, phase, progress: next.value };
  }
}

/** Work with no progress to report, as a phase's generator. */
// eslint-disable-next-line require-yield -- it has nothing to yield, by design
export async function* withoutProgress<T>(
  work: () => Promise<T> | T,
): AsyncGenerator<number, T, undefined> {
  return await work();
}

/** A long job's progress (CEM-MPC steps one at a time) as each new 1/PROGRESS_CHUNKS it enters. */
export async function* inChunks<T>(
  work: AsyncGenerator<number, T, undefined>,
): AsyncGenerator<number, T, undefined> {
  let announced = 0;
  for (;;) {
    const next = await work.next();
    if (next.done === true) return next.value;
    const progress = Math.floor(next.value * PROGRESS_CHUNKS) / PROGRESS_CHUNKS;
    if (progress > announced) {
      announced = progress;
      yield progress;
    }
  }
}

/** The actor, refusing a non-finite action before the env sees it. */
export function finiteActions(
  act: StepActor,
  figure: string,
  likelyCause: string,
  phase: Phase = 'collect',
): StepActor {
  return (observation) => {
    const action = act(observation);
    requireFinite(action, phase, figure, likelyCause);
    return action;
  };
}

/** Splits a phase's steps into at most PROGRESS_CHUNKS near-equal parts (none when steps = 0). */
export function splitSteps(steps: number): number[] {
  if (steps <= 0) return [];
  const parts = Math.min(PROGRESS_CHUNKS, steps);
  return Array.from(
    { length: parts },
    (_, i) => Math.floor(((i + 1) * steps) / parts) - Math.floor((i * steps) / parts),
  );
}
