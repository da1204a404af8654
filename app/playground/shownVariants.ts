/**
 * The compared configs as the views draw them: a letter, a colour and a label each, their bands
 * over seeds (streamed by the worker), the latest report of their first seed (for the maps), and
 * what failed. A loaded file is one config of one seed, drawn the same way.
 */
import { useMemo } from 'react';
import { useShallow } from 'zustand/react/shallow';
import { effectiveOverrides, type VariantOverrides } from '../../src/config/compareVariants';
import type { ExperimentConfig } from '../../src/config/schema';
import { readLeaf, urlFields, type UrlField } from '../../src/config/urlKeys';
import type { IterationReport } from '../../src/report';
import { singleRunBands, type IterationBands } from '../../src/reportSeries';
import { formatValue } from './knobs';
import { usePlayground, type RunError } from './store';

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
 * Labels that name the knobs the comparison is about: each variant by its changed settings, and
 * the base by its own values of those same knobs.
 */
export function variantLabels(
  base: ExperimentConfig,
  compare: readonly VariantOverrides[],
): string[] {
  if (compare.length === 0) return [''];
  const changed = compare.map((overrides) => effectiveOverrides(base, overrides));
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

/** The configs on screen, for the charts and legends; stable between reports. */
export function useShownVariants(): ShownVariant[] {
  const viewing = usePlayground((state) => state.viewing);
  const runVariants = usePlayground((state) => state.runVariants);
  const runCompare = usePlayground((state) => state.runCompare);
  const runSeeds = usePlayground((state) => state.runSeeds);
  const bands = usePlayground((state) => state.bands);
  // Element-wise: a phase event replaces the lanes but none of these, so nothing redraws for it.
  const errors = usePlayground(useShallow((state) => state.lanes.map((lane) => lane.error)));
  const laneVariants = usePlayground(useShallow((state) => state.lanes.map((l) => l.variant)));
  const laneSeeds = usePlayground(useShallow((state) => state.lanes.map((l) => l.seed)));
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
          failures: [],
          refused: false,
        },
      ];
    }
    if (runVariants.length === 0) return [];
    const labels = variantLabels(runVariants[0], runCompare);
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
        failures,
        refused: failures.length >= runSeeds,
      };
    });
  }, [viewing, runVariants, runCompare, runSeeds, bands, errors, laneVariants, laneSeeds]);
}

/** Each config's first seed's latest report (the map draws one run, not a mean). */
export function useVariantLatestReports(): (IterationReport | null)[] {
  return usePlayground(
    useShallow((state) => {
      if (state.viewing !== null) {
        const { reports } = state.viewing.output.runs[state.viewing.runIndex];
        return [reports.at(-1) ?? null];
      }
      return state.lanes.filter((lane) => lane.seedIndex === 0).map((lane) => lane.latest);
    }),
  );
}
