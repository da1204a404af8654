import { useEffect, useRef, useState } from 'react';
import { flushSync } from 'react-dom';

/** If no animation frame comes (a hidden tab), the views catch up anyway after this long. */
const FRAME_FALLBACK_MS = 250;

/**
 * `count` copies of `value` that catch up with it one per task, in order, each just after an
 * animation frame, and the first no sooner than `minIntervalMs` after its previous catch-up.
 * Costly views fed by one value (the four charts, fed by the reports) then each take their own
 * turn on the main thread between two frames instead of one long task, and values that come
 * faster than that are skipped (a view jumps to the latest).
 *
 * Each catch-up is rendered synchronously, with its effects and whatever they set off (recharts
 * dispatches to its own store from effects, and re-renders for each dispatch): all of one view's
 * work is done in its own task instead of spilling into the next one, often a worker's message.
 */
export function useStaggered<T>(
  value: T,
  count: number,
  minIntervalMs = 0,
  /** What the copies start from (by default `value`: nothing to catch up at first). */
  initial: T = value,
): readonly T[] {
  const [shown, setShown] = useState<readonly T[]>(() => Array<T>(count).fill(initial));
  const behind = shown.findIndex((item) => item !== value);
  const lastFirst = useRef(-Infinity);
  useEffect(() => {
    if (behind === -1) return;
    let timeout = 0;
    let fallback = 0;
    let frame = 0;
    const catchUp = () => {
      if (behind === 0) lastFirst.current = performance.now();
      flushSync(() => setShown((old) => old.map((item, i) => (i === behind ? value : item))));
    };
    const afterFrame = () => {
      cancelAnimationFrame(frame);
      window.clearTimeout(fallback);
      const wait = behind === 0 ? lastFirst.current + minIntervalMs - performance.now() : 0;
      // A macrotask after the frame: the browser paints first, then this view takes its turn.
      timeout = window.setTimeout(catchUp, Math.max(0, wait));
    };
    frame = requestAnimationFrame(afterFrame);
    fallback = window.setTimeout(afterFrame, FRAME_FALLBACK_MS);
    return () => {
      cancelAnimationFrame(frame);
      window.clearTimeout(fallback);
      window.clearTimeout(timeout);
    };
  }, [behind, value, minIntervalMs]);
  return shown;
}
