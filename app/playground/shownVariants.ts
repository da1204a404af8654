/**
 * The compared configs as the views draw them: a letter, a colour and a label each, their bands
 * over seeds (streamed by the worker), the latest report of their first seed (for the maps), and
 * what failed. A loaded file is one config of one seed, drawn the same way.
 */
import { useMemo } from 'react';
import { useShallow } from 'zustand/react/shallow';
import { knobByKey, knobChanges } from '../../src/config/knobs';
import type { ExperimentConfig } from '../../src/config/schema';
import { readLeaf, urlFields, type UrlField } from '../../src/config/urlKeys';
import type { IterationReport } from '../../src/report';
import { singleRunBands, type IterationBands } from '../../src/reportSeries';
import { formatValue } from './knobs';
import { useLabStore, type KnobMark, type RunError } from './store';

export const VARIANT_COLOURS = ['#2563eb', '#ea580c', '#16a34a', '#9333ea'] as const;

export const variantLetter = (index: number): string => String.fromCharCode(65 + index);

export interface LaneFailure {
  readonly seed: number;
  readonly error: RunError;
}

export interface ShownVariant {
  readonly index: number;
  readonly letter: string;
  readonly colour: string;
  /** What sets it apart, e.g. "Model width 128"; empty for a plain run. */
  readonly label: string;
  readonly seeds: number;
  readonly bands: readonly IterationBands[];
  /** Where its knobs changed while it ran. */
  readonly marks: readonly KnobMark[];
  readonly failures: readonly LaneFailure[];
  /** Every seed failed: nothing of it will be drawn. */
  readonly refused: boolean;
}

/** A setting as the controls name it: "Model width 64". */
export function describeSetting(field: UrlField, value: string | number): string {
  const names: Readonly<Record<string, string>> | undefined = field.names;
  const shown = typeof value === 'number' ? formatValue(value) : (names?.[value] ?? String(value));
  return `${field.label} ${shown}`;
}

/**
 * Labels that name the knobs the comparison is about: each variant by the settings it runs with
 * that the base does not, and the base by its own values of those same knobs. Read from the
 * configs themselves, so a live change (which may reach some variants and not others) shows.
 */
export function variantLabels(variants: readonly ExperimentConfig[]): string[] {
  if (variants.length <= 1) return [''];
  const [base, ...others] = variants;
  const changed = others.map((config) =>
    knobChanges(base, config).map(({ key, to }): [UrlField, string | number] => [
      knobByKey(key) as UrlField,
      to,
    ]),
  );
  const keys = new Set(changed.flatMap((entries) => entries.map(([field]) => field.key)));
  const baseEntries = urlFields
    .filter((field) => keys.has(field.key))
    .map((field): [UrlField, string | number] => [field, readLeaf(base, field)]);
  const describe = (entries: [UrlField, string | number][]) =>
    entries.length === 0
      ? 'same settings'
      : entries.map(([f, v]) => describeSetting(f, v)).join(', ');
  return [describe(baseEntries), ...changed.map(describe)];
}

const NO_BANDS: readonly IterationBands[] = [];
const NO_MARKS: readonly KnobMark[] = [];

/** A loaded run's marks: each report lists the changes it was the first to run with. */
function marksOf(reports: readonly IterationReport[]): KnobMark[] {
  return reports.flatMap((report) =>
    report.changes === undefined ? [] : [{ iteration: report.iteration, changes: report.changes }],
  );
}

/** The configs on screen, for the charts and legends; stable between reports. */
export function useShownVariants(): ShownVariant[] {
  const viewing = useLabStore((state) => state.viewing);
  const runVariants = useLabStore((state) => state.runVariants);
  const runSeeds = useLabStore((state) => state.runSeeds);
  const bands = useLabStore((state) => state.bands);
  const knobMarks = useLabStore((state) => state.knobMarks);
  // Element-wise: a phase event replaces the lanes but none of these, so nothing redraws for it.
  const errors = useLabStore(useShallow((state) => state.lanes.map((lane) => lane.error)));
  const laneVariants = useLabStore(useShallow((state) => state.lanes.map((l) => l.variant)));
  const laneSeeds = useLabStore(useShallow((state) => state.lanes.map((l) => l.seed)));
  return useMemo(() => {
    if (viewing !== null) {
      const { reports } = viewing.output.runs[viewing.runIndex];
      return [
        {
          index: 0,
          letter: 'A',
          colour: VARIANT_COLOURS[0],
          label: '',
          seeds: 1,
          bands: reports.map(singleRunBands),
          marks: marksOf(reports),
          failures: [],
          refused: false,
        },
      ];
    }
    if (runVariants.length === 0) return [];
    const labels = variantLabels(runVariants);
    return runVariants.map((_, index) => {
      const failures: LaneFailure[] = [];
      errors.forEach((error, lane) => {
        if (laneVariants[lane] === index && error !== null) {
          failures.push({ seed: laneSeeds[lane], error });
        }
      });
      return {
        index,
        letter: variantLetter(index),
        colour: VARIANT_COLOURS[index % VARIANT_COLOURS.length],
        label: labels[index] ?? '',
        seeds: runSeeds,
        bands: bands[index] ?? NO_BANDS,
        marks: knobMarks[index] ?? NO_MARKS,
        failures,
        refused: failures.length >= runSeeds,
      };
    });
  }, [viewing, runVariants, runSeeds, bands, knobMarks, errors, laneVariants, laneSeeds]);
}

/** Each config's first seed's latest report (the map draws one run, not a mean). */
export function useVariantLatestReports(): (IterationReport | null)[] {
  return useLabStore(
    useShallow((state) => {
      if (state.viewing !== null) {
        const { reports } = state.viewing.output.runs[state.viewing.runIndex];
        return [reports.at(-1) ?? null];
      }
      return state.lanes.filter((lane) => lane.seedIndex === 0).map((lane) => lane.latest);
    }),
  );
}
