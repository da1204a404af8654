/**
 * The run's story per iteration, in four small charts: returns (real, sim, oracle, random), the
 * gap with its bound, the model's error where it matters and where it does not, and the losses.
 *
 * Every line is a config's mean over its seeds, shaded with the 95 % band the worker computed
 * when there are several seeds. In compare mode each config has a colour and each figure a line
 * style, and a chart keeps to its two or three headline figures so the lines stay readable.
 * Long runs are thinned here for drawing only.
 */
import {
  memo,
  useCallback,
  useEffect,
  useMemo,
  useRef,
  useState,
  type PointerEvent,
  type ReactElement,
  type ReactNode,
} from 'react';
import {
  Area,
  CartesianGrid,
  ComposedChart,
  Curve,
  Line,
  Tooltip,
  XAxis,
  YAxis,
  type LineDrawShapeProps,
  type XAxisTickContentProps,
  type YAxisTickContentProps,
} from 'recharts';
import type { IterationBands, SeriesName } from '../../src/reportSeries';
import { ChartLegend, DASH_ARRAYS, type LegendItem } from './ChartLegend';
import { PngButton } from './ExportImport';
import { formatValue } from './knobs';
import { useShownVariants, type ShownVariant } from './shownVariants';
import {
  compactTick,
  iterationScale,
  keepsFitting,
  linearScale,
  logScale,
  thinRows,
  type AxisScale,
} from './chartScales';
import {
  ChartRowsContext,
  lineWidth,
  DOT_RADIUS,
  isolatedRows,
  SeriesPaths,
  type ChartRow,
  type LineStyle,
  type SeriesShape,
} from './SeriesPaths';
import { describeUndrawn, splitDrawable, type AxisKind } from './drawable';
import { chartMarkers, sameMarkers, type ChartMarker } from './knobMarkers';
import { KnobMarkers } from './KnobMarkers';
import { useElementSize } from './useCanvas';
import { useStaggered } from './useStaggered';

/** Points per line drawn (the latest always); the tooltip shows the nearest drawn one. */
const MAX_POINTS = 150;
/** The charts redraw at most this often (a report's lanes can arrive in a burst). */
const REDRAW_MS = 1000;
const CHART_HEIGHT = 150;
const BAND_OPACITY = 0.16;
const STYLE_KEY_COLOUR = '#64748b';
export const COLOURS = {
  real: '#2563eb',
  sim: '#f97316',
  oracle: '#16a34a',
  random: '#94a3b8',
  gap: '#dc2626',
  bound: '#fecaca',
  uniform: '#94a3b8',
  onPolicy: '#2563eb',
  strategic: '#16a34a',
  adversarial: '#be123c',
  modelTrain: '#7c3aed',
  modelHoldout: '#c084fc',
  critic: '#0891b2',
  policy: '#f97316',
} as const;

/** In compare mode a figure's line style says which figure it is; the colour says which config. */
const COMPARED_STYLES: readonly LineStyle[] = ['solid', 'dashed', 'dotted'];

interface LineSpec {
  readonly series: SeriesName;
  readonly label: string;
  readonly colour: string;
  readonly style: LineStyle;
  readonly axis?: 'right';
}

interface ChartSpec {
  readonly title: string;
  readonly log: boolean;
  readonly lines: readonly LineSpec[];
  /** The figures drawn per config in compare mode, headline first (the one with a band). */
  readonly compared: readonly SeriesName[];
  readonly boundBand?: boolean;
  readonly rightAxis?: boolean;
  /** The caption's latest values for one config (single mode). */
  readonly latest: (bands: IterationBands) => string;
}

const key = (variant: number, series: string) => `${variant}_${series}`;
const bandKey = (variant: number, series: string) => `${variant}_${series}_band`;
const boundKey = (variant: number) => `${variant}_bound_pm`;

const show = (value: number | null | undefined) =>
  value === null || value === undefined ? '–' : formatValue(value);
const mean = (bands: IterationBands, series: SeriesName) => bands.series[series]?.mean;

const CHARTS: readonly ChartSpec[] = [
  {
    title: 'Returns',
    log: false,
    lines: [
      { series: 'real', label: 'real', colour: COLOURS.real, style: 'solid' },
      { series: 'sim', label: 'sim (in the model)', colour: COLOURS.sim, style: 'solid' },
      { series: 'oracle', label: 'oracle', colour: COLOURS.oracle, style: 'dashed' },
      { series: 'random', label: 'random', colour: COLOURS.random, style: 'dashed' },
    ],
    compared: ['real', 'sim', 'oracle'],
    latest: (b) => `real ${show(mean(b, 'real'))} · sim ${show(mean(b, 'sim'))}`,
  },
  {
    title: 'Gap (sim − real) and its bound',
    log: false,
    lines: [{ series: 'gap', label: 'gap', colour: COLOURS.gap, style: 'solid' }],
    compared: ['gap'],
    boundBand: true,
    latest: (b) => `gap ${show(mean(b, 'gap'))} · bound ±${show(mean(b, 'bound'))}`,
  },
  {
    title: 'Model error (log scale)',
    log: true,
    lines: [
      { series: 'uniform', label: 'uniform', colour: COLOURS.uniform, style: 'dashed' },
      { series: 'onPolicy', label: 'on-policy', colour: COLOURS.onPolicy, style: 'solid' },
      {
        series: 'strategic',
        label: 'strategic (oracle)',
        colour: COLOURS.strategic,
        style: 'solid',
      },
      {
        series: 'adversarial',
        label: 'adversarial',
        colour: COLOURS.adversarial,
        style: 'solid',
      },
    ],
    compared: ['onPolicy', 'uniform'],
    latest: (b) => `on-policy ${show(mean(b, 'onPolicy'))} · uniform ${show(mean(b, 'uniform'))}`,
  },
  {
    title: 'Losses (log; policy on the right)',
    log: true,
    rightAxis: true,
    lines: [
      { series: 'modelTrain', label: 'model (train)', colour: COLOURS.modelTrain, style: 'solid' },
      {
        series: 'modelHoldout',
        label: 'model (holdout)',
        colour: COLOURS.modelHoldout,
        style: 'dashed',
      },
      { series: 'critic', label: 'critic', colour: COLOURS.critic, style: 'solid' },
      {
        series: 'policy',
        label: 'policy',
        colour: COLOURS.policy,
        style: 'dashed',
        axis: 'right',
      },
    ],
    compared: ['modelTrain', 'critic'],
    latest: (b) => `model ${show(mean(b, 'modelTrain'))} · critic ${show(mean(b, 'critic'))}`,
  },
];

const labelOf = (chart: ChartSpec, series: SeriesName) =>
  chart.lines.find((line) => line.series === series)?.label ?? series;

/** One row per iteration (1-based), every config's means and bands side by side. */
function buildRows(variants: readonly ShownVariant[]): ChartRow[] {
  const rows = new Map<number, ChartRow>();
  for (const variant of variants) {
    for (const bands of variant.bands) {
      const x = bands.iteration + 1;
      let row = rows.get(x);
      if (row === undefined) {
        row = { iteration: x };
        rows.set(x, row);
      }
      for (const [series, band] of Object.entries(bands.series)) {
        if (band === null) continue;
        row[key(variant.index, series)] = band.mean;
        if (band.count > 1) row[bandKey(variant.index, series)] = [band.low, band.high];
      }
      const bound = bands.series.bound;
      if (bound !== null) row[boundKey(variant.index)] = [-bound.mean, bound.mean];
    }
  }
  // The oracle's return is the world's, the same at every iteration, and its run arrives after
  // the first reports (the engine makes it in a worker of its own): once it has, its line spans
  // every iteration the config reported, not only those reported after it.
  for (const variant of variants) {
    const known = [...variant.bands].reverse().find((bands) => bands.series.oracle !== null)?.series.oracle;
    if (known === undefined || known === null) continue;
    for (const bands of variant.bands) {
      const row = rows.get(bands.iteration + 1);
      if (row === undefined) continue;
      row[key(variant.index, 'oracle')] = known.mean;
      if (known.count > 1) row[bandKey(variant.index, 'oracle')] = [known.low, known.high];
    }
  }
  return [...rows.values()].sort((a, b) => Number(a.iteration) - Number(b.iteration));
}

const tooltipFormatter = (value: unknown): string => {
  if (Array.isArray(value)) return `±${formatValue(Number(value[1]))}`;
  return typeof value === 'number' ? formatValue(value) : String(value);
};

const TICK_FONT_SIZE = 11;
const TICK_COLOUR = '#64748b';
/**
 * A tick's label as a plain SVG text: recharts' own Text measures every word in the DOM (a
 * forced layout) to wrap it, which a short number never needs.
 */
function tickLabel(format: (value: number) => string) {
  return function TickLabel(props: XAxisTickContentProps | YAxisTickContentProps): ReactElement {
    const { x, y, payload, textAnchor, verticalAnchor, orientation, className } =
      props as typeof props & {
        x: number;
        y: number;
      };
    return (
      <text
        x={x}
        y={y}
        dy={verticalAnchor === 'start' ? '0.71em' : verticalAnchor === 'end' ? '0' : '0.355em'}
        textAnchor={textAnchor}
        className={className}
        orientation={orientation}
        fill={TICK_COLOUR}
        fontSize={TICK_FONT_SIZE}
      >
        {format(Number(payload.value))}
      </text>
    );
  };
}
const ITERATION_TICK = tickLabel(String);
const VALUE_TICK = tickLabel(compactTick);

function ChartCard({
  title,
  latest,
  legend,
  note,
  undrawn,
  children,
}: {
  title: string;
  latest: string;
  legend: readonly LegendItem[];
  note?: string;
  /** What the chart left out because it cannot draw it (drawable.ts), as text; '' for nothing. */
  undrawn: string;
  /**
   * The chart at the box's width (measured once, then on resize only); `pointed` while the
   * pointer or the focus is in the box.
   */
  children: (width: number, pointed: boolean) => ReactNode;
}) {
  const box = useRef<HTMLDivElement>(null);
  const { width } = useElementSize(box);
  const [pointed, setPointed] = useState(false);
  const pointer = useRef<{ clientX: number; clientY: number } | null>(null);
  const point = useCallback(() => setPointed(true), []);
  const pointAt = useCallback((event: PointerEvent) => {
    pointer.current = { clientX: event.clientX, clientY: event.clientY };
    setPointed(true);
  }, []);
  const leave = useCallback(() => {
    pointer.current = null;
    setPointed(false);
  }, []);
  // recharts finds the tooltip's iteration when the pointer moves, and the move that entered the
  // box came before the chart had its data: it is replayed once the data is there.
  useEffect(() => {
    const at = pointer.current;
    if (!pointed || at === null) return;
    box.current
      ?.querySelector('.recharts-wrapper')
      ?.dispatchEvent(new MouseEvent('mousemove', { ...at, bubbles: true }));
  }, [pointed]);
  return (
    <figure className="card chart-card" aria-label={title}>
      <figcaption className="card-title">
        <span>{title}</span>
        <span className="card-meta">{latest}</span>
        <PngButton title={title} kind="chart" />
      </figcaption>
      <div
        className="chart-box"
        ref={box}
        style={{ height: CHART_HEIGHT }}
        onPointerEnter={pointAt}
        onPointerLeave={leave}
        onFocus={point}
        onBlur={leave}
      >
        {children(Math.floor(width), pointed)}
      </div>
      {undrawn !== '' && (
        <p className="chart-undrawn" role="note">
          {undrawn}
        </p>
      )}
      <ChartLegend items={legend} note={note} />
    </figure>
  );
}

const X_AXIS_LINE = { stroke: '#cbd5e1' };
const TOOLTIP_STYLE = { fontSize: 12, borderRadius: 8 };
const MARGIN = { top: 6, right: 8, bottom: 0, left: 0 };
const MARGIN_RIGHT_AXIS = { top: 6, right: 0, bottom: 0, left: 0 };
const tooltipLabel = (label: unknown) => `iteration ${String(label)}`;
const GRID = <CartesianGrid stroke="#e2e8f0" vertical={false} />;
const TOOLTIP = (
  <Tooltip
    formatter={tooltipFormatter}
    labelFormatter={tooltipLabel}
    contentStyle={TOOLTIP_STYLE}
    isAnimationActive={false}
  />
);

/**
 * The axes, given their domains and ticks (chartScales.ts): recharts then neither searches for
 * nice ticks nor measures labels to drop some (interval 0: every given tick is drawn). A scale
 * that did not change between reports is the same object, so the axis is not re-registered.
 */
function axes(x: AxisScale, left: AxisScale, log: boolean, right: AxisScale | null) {
  return [
    <XAxis
      key="x"
      dataKey="iteration"
      {...givenScale(x)}
      tick={ITERATION_TICK}
      axisLine={X_AXIS_LINE}
    />,
    <YAxis
      key="y"
      yAxisId="left"
      {...givenScale(left)}
      scale={log ? 'log' : 'linear'}
      tick={VALUE_TICK}
      axisLine={false}
      width={44}
    />,
    right !== null && (
      <YAxis
        key="y-right"
        yAxisId="right"
        orientation="right"
        {...givenScale(right)}
        tick={VALUE_TICK}
        axisLine={false}
        width={40}
      />
    ),
  ];
}

/** What every axis is told: a number axis with our domain and every one of our ticks. */
function givenScale(scale: AxisScale) {
  return {
    type: 'number' as const,
    domain: scale.domain as [number, number],
    ticks: scale.ticks as number[],
    interval: 0,
    // Without this recharts still works out nice ticks of its own (decimal.js), then ignores them.
    niceTicks: 'none' as const,
    allowDataOverflow: true,
    tickLine: false,
  };
}

/** Whether two scales have the same domain and ticks. */
function sameScale(previous: AxisScale, next: AxisScale): boolean {
  return (
    previous.domain[0] === next.domain[0] &&
    previous.domain[1] === next.domain[1] &&
    previous.ticks.length === next.ticks.length &&
    previous.ticks.every((tick, i) => tick === next.ticks[i])
  );
}

/**
 * `next`, or the value kept from an earlier render while `keep(kept, next)` says it can stay. A
 * chart given the very same scales and series leaves them alone: React does not render them
 * again and recharts does not register them again in its store.
 */
function useKept<T>(next: T, keep: (kept: T, next: T) => boolean): T {
  const [kept, setKept] = useState(next);
  const stable = kept === next || keep(kept, next) ? kept : next;
  if (stable !== kept) setKept(stable);
  return stable;
}

/** The values a set of data keys takes in the rows (a band's two ends). */
function* valuesOf(rows: readonly ChartRow[], keys: readonly string[]): Generator<number> {
  for (const row of rows) {
    for (const k of keys) {
      const value = row[k];
      if (typeof value === 'number') yield value;
      else if (Array.isArray(value)) yield* value;
    }
  }
}

/**
 * A line's path: recharts' own Curve, without the ref that recharts' default line shape puts on
 * it. Given that ref, recharts' Line measures the path (`getTotalLength`, which forces a style
 * and layout update) on every render, for an entrance animation these charts turn off.
 */
function StaticLineShape(props: LineDrawShapeProps): ReactElement {
  // eslint-disable-next-line @typescript-eslint/no-unused-vars
  const { pathRef, animationElapsedTime, isAnimating, isEntrance, visibleLength, ...curve } = props;
  return <Curve {...curve} />;
}

/** recharts' dot for a line's point: a dot where the point stands alone (SeriesPaths.tsx), else nothing. */
function isolatedDot(props: { cx?: number; cy?: number; index?: number }, isolated: ReadonlySet<number>, colour: string): ReactElement {
  const { cx, cy, index } = props;
  if (cx === undefined || cy === undefined || index === undefined || !isolated.has(index)) return <g key={`none-${index ?? 'x'}`} />;
  return <circle key={index} className="chart-dot" cx={cx} cy={cy} r={DOT_RADIUS} fill={colour} />;
}

/**
 * A series as recharts' own `Line` or `Area`, given the chart's data: drawn so while the chart is
 * pointed at, for recharts' tooltip (the exact values) and active dots. A band is left out of the
 * tooltip, which gives the means.
 */
function rechartsSeries(shape: SeriesShape, rows: readonly ChartRow[]): ReactElement {
  const isolated = isolatedRows(rows, shape.dataKey);
  return shape.kind === 'line' ? (
    <Line
      key={shape.dataKey}
      shape={StaticLineShape}
      yAxisId={shape.axis}
      type="monotone"
      dataKey={shape.dataKey}
      name={shape.name}
      stroke={shape.colour}
      strokeWidth={lineWidth(shape.style)}
      strokeDasharray={DASH_ARRAYS[shape.style]}
      dot={isolated.size === 0 ? false : (props: { cx?: number; cy?: number; index?: number }) => isolatedDot(props, isolated, shape.colour)}
      isAnimationActive={false}
      connectNulls
    />
  ) : (
    <Area
      key={shape.dataKey}
      yAxisId={shape.axis}
      type="monotone"
      dataKey={shape.dataKey}
      stroke="none"
      fill={shape.colour}
      fillOpacity={shape.opacity}
      isAnimationActive={false}
      tooltipType="none"
      legendType="none"
      connectNulls
    />
  );
}

const line = (
  dataKey: string,
  name: string,
  colour: string,
  style: LineStyle,
  axis: 'left' | 'right' = 'left',
): SeriesShape => ({ kind: 'line', dataKey, name, colour, style, opacity: 1, axis });

const band = (
  dataKey: string,
  colour: string,
  opacity: number,
  axis: 'left' | 'right' = 'left',
): SeriesShape => ({ kind: 'band', dataKey, name: dataKey, colour, style: 'solid', opacity, axis });

/** Whether two lists of series are the same, shape by shape (compared shallowly). */
function sameShapes(previous: readonly SeriesShape[], next: readonly SeriesShape[]): boolean {
  return (
    previous.length === next.length &&
    previous.every((shape, i) => {
      const other = next[i] as unknown as Record<string, unknown>;
      return Object.entries(shape).every(([k, value]) => Object.is(value, other[k]));
    })
  );
}

/**
 * The chart. While nobody points at it, recharts gets no data and SeriesPaths draws the series:
 * the props here stay the same between reports (the axes change a handful of times in a run),
 * so a report re-renders SeriesPaths only, not recharts. While pointed at (`pointedRows`),
 * recharts draws the series from the rows itself, with its tooltip and active dots. It is the
 * same chart either way, so the focus and the pointer stay on it when it switches.
 */
const Plot = memo(function Plot({
  width,
  margin,
  axes,
  shapes,
  markers,
  pointedRows,
}: {
  width: number;
  margin: typeof MARGIN;
  axes: readonly ReactNode[];
  shapes: readonly SeriesShape[];
  markers: readonly ChartMarker[];
  pointedRows: ChartRow[] | undefined;
}) {
  const pointed = pointedRows !== undefined;
  const series = useMemo(() => (pointedRows === undefined ? null : shapes.map((shape) => rechartsSeries(shape, pointedRows))), [pointedRows, shapes]);
  // On a knob change's rule the rule says what changed: the tooltip would cover it.
  const [onMarker, setOnMarker] = useState(false);
  return (
    <ComposedChart width={width} height={CHART_HEIGHT} data={pointedRows} margin={margin}>
      {GRID}
      {axes}
      {pointed && !onMarker && TOOLTIP}
      {pointed ? series : <SeriesPaths shapes={shapes} />}
      <KnobMarkers markers={markers} onPoint={setOnMarker} />
    </ComposedChart>
  );
});

interface ChartView {
  readonly rows: ChartRow[];
  readonly variants: readonly ShownVariant[];
}

/** Each chart is its own memo: a new report redraws them one per task (see Charts). */
const Chart = memo(function Chart({
  chart,
  view,
  mounted,
}: {
  chart: ChartSpec;
  view: ChartView;
  /** Whether the chart itself is drawn yet (the card, its caption and legend always are). */
  mounted: boolean;
}) {
  const { rows, variants } = view;
  const comparing = variants.length > 1;
  const seeds = variants[0]?.seeds ?? 1;
  const shapes: SeriesShape[] = [];
  const legend: LegendItem[] = [];
  // The data keys drawn against each axis, for the axes' domains.
  const drawn: Record<'left' | 'right', string[]> = { left: [], right: [] };
  // What each data key is called in a notice about values left out.
  const labels = new Map<string, string>();
  const draw = (shape: SeriesShape, label = shape.name) => {
    shapes.push(shape);
    drawn[shape.axis].push(shape.dataKey);
    labels.set(shape.dataKey, label);
  };

  // A figure this run does not produce (the adversarial error under plain MSE) is left out.
  const produced = (series: SeriesName) =>
    rows.length === 0 || rows.some((row) => row[key(0, series)] !== undefined);
  if (!comparing) {
    if (chart.boundBand === true) {
      draw(band(boundKey(0), COLOURS.bound, 0.7), '±bound');
      legend.push({ label: '±bound', colour: COLOURS.bound, style: 'area' });
    }
    for (const spec of chart.lines.filter((l) => produced(l.series))) {
      const bandOf = bandKey(0, spec.series);
      if (seeds > 1) {
        draw(band(bandOf, spec.colour, BAND_OPACITY, spec.axis), `${spec.label} (band)`);
      }
      draw(line(key(0, spec.series), spec.label, spec.colour, spec.style, spec.axis));
      legend.push({ label: spec.label, colour: spec.colour, style: spec.style });
    }
  } else {
    for (const variant of variants) {
      chart.compared.forEach((series, position) => {
        const spec = chart.lines.find((l) => l.series === series);
        const bandOf = bandKey(variant.index, series);
        if (position === 0 && seeds > 1) {
          draw(
            band(bandOf, variant.colour, BAND_OPACITY, spec?.axis),
            `${variant.letter} ${labelOf(chart, series)} (band)`,
          );
        }
        draw(
          line(
            key(variant.index, series),
            `${variant.letter} ${labelOf(chart, series)}`,
            variant.colour,
            COMPARED_STYLES[position],
            spec?.axis,
          ),
        );
      });
      legend.push({
        label: `${variant.letter}: ${variant.label}${variant.refused ? ' (failed)' : ''}`,
        colour: variant.colour,
        style: 'area',
        title: variant.failures[0]?.error.message,
      });
    }
    if (chart.compared.length > 1) {
      chart.compared.forEach((series, position) =>
        legend.push({
          label: labelOf(chart, series),
          colour: STYLE_KEY_COLOUR,
          style: COMPARED_STYLES[position],
        }),
      );
    }
  }

  const last = rows.at(-1);
  let latest = '';
  if (last !== undefined && !comparing) {
    const lastBands = variants[0]?.bands.at(-1);
    latest = lastBands === undefined ? '' : chart.latest(lastBands);
  } else if (last !== undefined) {
    const headline = chart.compared[0];
    latest = `${labelOf(chart, headline)}: ${variants
      .map((v) => `${v.letter} ${show(v.bands.at(-1)?.series[headline]?.mean)}`)
      .join(' · ')}`;
  }
  const note =
    seeds > 1
      ? `shaded: 95 % interval over ${seeds} seeds${comparing ? ` (${labelOf(chart, chart.compared[0])})` : ''}`
      : undefined;

  // What no axis can hold (a file's 1e308) is left out of the drawing and said as text.
  const leftAxis: AxisKind = chart.log ? 'log' : 'linear';
  // Not memoised: it gives back the very rows it was given unless something is left out.
  const onLeft = splitDrawable(rows, drawn.left, leftAxis);
  const onRight = splitDrawable(onLeft.rows, drawn.right, 'linear');
  const drawnRows = onRight.rows as ChartRow[];
  const undrawn = [
    describeUndrawn(onLeft.undrawn, labels, leftAxis),
    describeUndrawn(onRight.undrawn, labels, 'linear'),
  ]
    .filter((text) => text !== '')
    .join(' ');

  const first = Number(rows[0]?.iteration ?? 1);
  const x = useKept(iterationScale(first, Number(last?.iteration ?? first)), sameScale);
  const left = useKept(
    chart.log
      ? logScale(valuesOf(drawnRows, drawn.left))
      : linearScale(valuesOf(drawnRows, drawn.left)),
    (kept, next) => keepsFitting(kept, next, chart.log),
  );
  const hasRight = drawn.right.length > 0;
  const right = useKept(linearScale(valuesOf(drawnRows, drawn.right)), (kept, next) =>
    keepsFitting(kept, next, false),
  );
  // Between two reports the axes and shapes are mostly the same: only the data changes.
  const axisElements = useMemo(
    () => axes(x, left, chart.log, hasRight ? right : null),
    [x, left, chart.log, hasRight, right],
  );
  const keptShapes = useKept(shapes, sameShapes);
  // Where the knobs changed while the run went on: a rule at each such iteration.
  const markers = useKept(chartMarkers(variants), sameMarkers);
  const margin = hasRight ? MARGIN_RIGHT_AXIS : MARGIN;

  return (
    <ChartRowsContext.Provider value={drawnRows}>
      <ChartCard title={chart.title} latest={latest} legend={legend} note={note} undrawn={undrawn}>
        {(width, pointed) =>
          width > 0 &&
          mounted && (
            <Plot
              width={width}
              margin={margin}
              axes={axisElements}
              shapes={keptShapes}
              markers={markers}
              pointedRows={pointed ? drawnRows : undefined}
            />
          )
        }
      </ChartCard>
    </ChartRowsContext.Provider>
  );
});

export function Charts() {
  const variants = useShownVariants();
  const view = useMemo(
    () => ({ rows: thinRows(buildRows(variants), MAX_POINTS), variants }),
    [variants],
  );
  // A report redraws a chart's series in a few ms, but a changed axis redraws the whole recharts
  // chart, 10-20 ms (more on a busy machine), and the four often change together (the iterations'
  // axis): staggered, one per task between two frames, and at most every REDRAW_MS.
  const staggered = useStaggered(view, CHARTS.length, REDRAW_MS);
  // A recharts chart takes ~35 ms to mount: the four appear one per task too, not in one.
  const mounted = useStaggered(true, CHARTS.length, 0, false);
  return (
    <section className="charts" aria-label="Charts">
      {CHARTS.map((chart, index) => (
        <Chart key={chart.title} chart={chart} view={staggered[index]} mounted={mounted[index]} />
      ))}
    </section>
  );
}
