/**
 * Where a chart marks a knob change: one rule per iteration at which any shown config's knobs
 * changed, with what changed ("lr 0.001 → 0.003"). In compare mode a change that reached every
 * config reads once; otherwise each config's is prefixed with its letter ("B: lr 0.001 → 0.003").
 */
import { describeChange } from '../../src/config/knobSchedule';
import { formatValue } from './knobs';
import type { KnobMark } from './store';

export interface ChartMarker {
  /** The first iteration (0-based) run with the new values; the chart draws it at x = iteration + 1. */
  readonly iteration: number;
  readonly text: string;
}

export function chartMarkers(
  variants: readonly { readonly letter: string; readonly marks: readonly KnobMark[] }[],
): ChartMarker[] {
  const byIteration = new Map<number, { letter: string; text: string }[]>();
  for (const variant of variants) {
    for (const mark of variant.marks) {
      const text = mark.changes.map((change) => describeChange(change, formatValue)).join(', ');
      const entries = byIteration.get(mark.iteration) ?? [];
      entries.push({ letter: variant.letter, text });
      byIteration.set(mark.iteration, entries);
    }
  }
  return [...byIteration.entries()]
    .sort(([a], [b]) => a - b)
    .map(([iteration, entries]) => {
      const same =
        variants.length === 1 ||
        (entries.length === variants.length && entries.every((e) => e.text === entries[0].text));
      return {
        iteration,
        text: same
          ? entries[0].text
          : entries.map((entry) => `${entry.letter}: ${entry.text}`).join('; '),
      };
    });
}

/** Whether two lists of markers are the same (a chart keeps its markers between reports). */
export function sameMarkers(a: readonly ChartMarker[], b: readonly ChartMarker[]): boolean {
  return (
    a.length === b.length &&
    a.every((marker, i) => marker.iteration === b[i].iteration && marker.text === b[i].text)
  );
}
