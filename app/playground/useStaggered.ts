import { useEffect, useState } from 'react';

/**
 * `count` copies of `value` that catch up with it one per task, in order. Costly views fed by
 * one value (the four charts, fed by the reports) then each take their own turn on the main
 * thread instead of one long task, so animation frames keep coming while the worker reports.
 */
export function useStaggered<T>(value: T, count: number): readonly T[] {
  const [shown, setShown] = useState<readonly T[]>(() => Array<T>(count).fill(value));
  const behind = shown.findIndex((item) => item !== value);
  useEffect(() => {
    if (behind === -1) return;
    // A macrotask, not a microtask: the browser may paint and handle input in between.
    const handle = window.setTimeout(
      () => setShown((old) => old.map((item, i) => (i === behind ? value : item))),
      0,
    );
    return () => window.clearTimeout(handle);
  }, [behind, value]);
  return shown;
}
