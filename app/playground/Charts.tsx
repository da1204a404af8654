/**
 * The run's story per iteration, in four small charts: returns (real, sim, oracle, random), the
 * gap with its bound, the model's error where it matters and where it does not, and the losses.
 * Every report is kept in the store; long runs are thinned here for drawing only.
 */
import { memo, useMemo, type ReactNode } from 'react';
import {
  Area,
  CartesianGrid,
  ComposedChart,
  Legend,
  Line,
  LineChart,
  ResponsiveContainer,
  Tooltip,
  XAxis,
  YAxis,
} from 'recharts';
import type { IterationReport } from '../../src/report';
import { formatValue } from './knobs';
import { PngButton } from './ExportImport';
import { selectShownReports, usePlayground } from './store';
import { useStaggered } from './useStaggered';

const MAX_POINTS = 300;
const CHART_HEIGHT = 150;
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
  modelTrain: '#7c3aed',
  modelHoldout: '#c084fc',
  critic: '#0891b2',
  policy: '#f97316',
} as const;

interface Row {
  iteration: number;
  real: number;
  sim: number;
  oracle: number | null;
  random: number;
  gap: number;
  band: [number, number];
  uniform: number | null;
  onPolicy: number | null;
  strategic: number | null;
  modelTrain: number | null;
  modelHoldout: number | null;
  critic: number | null;
  policy: number | null;
}

/** Log axes cannot show 0, negatives or NaN: those points are left out. */
const positive = (value: number | null): number | null =>
  value !== null && Number.isFinite(value) && value > 0 ? value : null;
const finite = (value: number | null): number | null =>
  value !== null && Number.isFinite(value) ? value : null;

function toRow(report: IterationReport): Row {
  return {
    iteration: report.iteration + 1,
    real: report.returns.real,
    sim: report.returns.sim,
    oracle: report.returns.oracle,
    random: report.returns.random,
    gap: report.gap,
    band: [-report.bound, report.bound],
    uniform: positive(report.modelError.uniform),
    onPolicy: positive(report.modelError.onPolicy),
    strategic: positive(report.modelError.strategic),
    modelTrain: positive(report.losses.modelTrain),
    modelHoldout: positive(report.losses.modelHoldout),
    critic: positive(report.losses.critic),
    policy: finite(report.losses.policy),
  };
}

/** Every k-th report (and always the last) so a long run stays cheap to draw. */
function thin(reports: readonly IterationReport[]): IterationReport[] {
  if (reports.length <= MAX_POINTS) return [...reports];
  const stride = Math.ceil(reports.length / MAX_POINTS);
  const kept = reports.filter((_, i) => i % stride === 0);
  if (kept[kept.length - 1] !== reports[reports.length - 1]) kept.push(reports[reports.length - 1]);
  return kept;
}

const tooltipFormatter = (value: unknown): string => {
  if (Array.isArray(value)) return `±${formatValue(Number(value[1]))}`;
  return typeof value === 'number' ? formatValue(value) : String(value);
};

const axisTick = { fontSize: 11, fill: '#64748b' };
const compactTick = (value: number) => {
  const magnitude = Math.abs(value);
  if (magnitude >= 1000) return `${Number((value / 1000).toPrecision(3))}k`;
  if (magnitude !== 0 && magnitude < 0.01) return value.toExponential(0);
  return String(Number(value.toPrecision(3)));
};

function ChartCard({
  title,
  latest,
  children,
}: {
  title: string;
  latest: string;
  children: ReactNode;
}) {
  return (
    <figure className="card chart-card" aria-label={title}>
      <figcaption className="card-title">
        <span>{title}</span>
        <span className="card-meta">{latest}</span>
        <PngButton title={title} kind="chart" />
      </figcaption>
      <div className="chart-box" style={{ height: CHART_HEIGHT }}>
        {children}
      </div>
    </figure>
  );
}

const AUTO_DOMAIN: [string, string] = ['auto', 'auto'];
const X_DOMAIN: [string, string] = ['dataMin', 'dataMax'];
const X_AXIS_LINE = { stroke: '#cbd5e1' };
const TOOLTIP_STYLE = { fontSize: 12, borderRadius: 8 };
const LEGEND_STYLE = { fontSize: 11 };
const MARGIN = { top: 6, right: 8, bottom: 0, left: 0 };
const MARGIN_RIGHT_AXIS = { top: 6, right: 0, bottom: 0, left: 0 };
const tooltipLabel = (label: unknown) => `iteration ${String(label)}`;
const commonAxesOf = (log: boolean) => [
  <CartesianGrid key="grid" stroke="#e2e8f0" vertical={false} />,
  <XAxis
    key="x"
    dataKey="iteration"
    type="number"
    domain={X_DOMAIN}
    interval={0}
    tick={axisTick}
    tickLine={false}
    axisLine={X_AXIS_LINE}
    allowDecimals={false}
  />,
  <YAxis
    key="y"
    yAxisId="left"
    tick={axisTick}
    tickLine={false}
    axisLine={false}
    width={44}
    tickFormatter={compactTick}
    // A linear axis has a handful of nice ticks: all are drawn, none measured. A log axis has
    // many, so recharts measures their labels to drop the ones that would overlap.
    {...(log
      ? {
          scale: 'log' as const,
          domain: AUTO_DOMAIN,
          allowDataOverflow: true,
        }
      : { domain: AUTO_DOMAIN, interval: 0 })}
  />,
  <Tooltip
    key="tooltip"
    formatter={tooltipFormatter}
    labelFormatter={tooltipLabel}
    contentStyle={TOOLTIP_STYLE}
    isAnimationActive={false}
  />,
  <Legend key="legend" iconType="plainline" iconSize={14} wrapperStyle={LEGEND_STYLE} />,
];
const LINEAR_AXES = commonAxesOf(false);
const LOG_AXES = commonAxesOf(true);
const commonAxes = (log: boolean) => (log ? LOG_AXES : LINEAR_AXES);

const line = (
  dataKey: keyof Row,
  name: string,
  colour: string,
  dashed = false,
  yAxisId = 'left',
) => (
  <Line
    key={dataKey}
    yAxisId={yAxisId}
    type="monotone"
    dataKey={dataKey}
    name={name}
    stroke={colour}
    strokeWidth={dashed ? 1.5 : 2}
    strokeDasharray={dashed ? '5 4' : undefined}
    dot={false}
    isAnimationActive={false}
    connectNulls
  />
);

const show = (value: number | null | undefined) =>
  value === null || value === undefined ? '–' : formatValue(value);

/** Each chart is its own memo: a new report redraws them one per task (see Charts). */
const ReturnsChart = memo(function ReturnsChart({ rows }: { rows: Row[] }) {
  const last = rows.at(-1);
  return (
    <ChartCard
      title="Returns"
      latest={last === undefined ? '' : `real ${show(last.real)} · sim ${show(last.sim)}`}
    >
      <ResponsiveContainer width="100%" height="100%">
        <LineChart data={rows} margin={MARGIN}>
          {commonAxes(false)}
          {line('real', 'real', COLOURS.real)}
          {line('sim', 'sim (in the model)', COLOURS.sim)}
          {line('oracle', 'oracle', COLOURS.oracle, true)}
          {line('random', 'random', COLOURS.random, true)}
        </LineChart>
      </ResponsiveContainer>
    </ChartCard>
  );
});

const GapChart = memo(function GapChart({ rows }: { rows: Row[] }) {
  const last = rows.at(-1);
  return (
    <ChartCard
      title="Gap (sim − real) and its bound"
      latest={last === undefined ? '' : `gap ${show(last.gap)} · bound ±${show(last.band[1])}`}
    >
      <ResponsiveContainer width="100%" height="100%">
        <ComposedChart data={rows} margin={MARGIN}>
          {commonAxes(false)}
          <Area
            yAxisId="left"
            type="monotone"
            dataKey="band"
            name="±bound"
            stroke="none"
            fill={COLOURS.bound}
            fillOpacity={0.7}
            isAnimationActive={false}
          />
          {line('gap', 'gap', COLOURS.gap)}
        </ComposedChart>
      </ResponsiveContainer>
    </ChartCard>
  );
});

const ModelErrorChart = memo(function ModelErrorChart({ rows }: { rows: Row[] }) {
  const last = rows.at(-1);
  return (
    <ChartCard
      title="Model error (log scale)"
      latest={
        last === undefined ? '' : `on-policy ${show(last.onPolicy)} · uniform ${show(last.uniform)}`
      }
    >
      <ResponsiveContainer width="100%" height="100%">
        <LineChart data={rows} margin={MARGIN}>
          {commonAxes(true)}
          {line('uniform', 'uniform', COLOURS.uniform, true)}
          {line('onPolicy', 'on-policy', COLOURS.onPolicy)}
          {line('strategic', 'strategic (oracle)', COLOURS.strategic)}
        </LineChart>
      </ResponsiveContainer>
    </ChartCard>
  );
});

const LossesChart = memo(function LossesChart({ rows }: { rows: Row[] }) {
  const last = rows.at(-1);
  return (
    <ChartCard
      title="Losses (log; policy on the right)"
      latest={
        last === undefined ? '' : `model ${show(last.modelTrain)} · critic ${show(last.critic)}`
      }
    >
      <ResponsiveContainer width="100%" height="100%">
        <LineChart data={rows} margin={MARGIN_RIGHT_AXIS}>
          {commonAxes(true)}
          <YAxis
            yAxisId="right"
            orientation="right"
            tick={axisTick}
            tickLine={false}
            axisLine={false}
            width={40}
            interval={0}
            tickFormatter={compactTick}
          />
          {line('modelTrain', 'model (train)', COLOURS.modelTrain)}
          {line('modelHoldout', 'model (holdout)', COLOURS.modelHoldout, true)}
          {line('critic', 'critic', COLOURS.critic)}
          {line('policy', 'policy', COLOURS.policy, true, 'right')}
        </LineChart>
      </ResponsiveContainer>
    </ChartCard>
  );
});

export function Charts() {
  const reports = usePlayground(selectShownReports);
  const rows = useMemo(() => thin(reports).map(toRow), [reports]);
  // A recharts chart takes tens of ms to redraw (more on a busy machine): redrawn together, the
  // four make one long task per report that drops animation frames; staggered, one per task.
  const [returns, gap, modelError, losses] = useStaggered(rows, 4);
  return (
    <section className="charts" aria-label="Charts">
      <ReturnsChart rows={returns} />
      <GapChart rows={gap} />
      <ModelErrorChart rows={modelError} />
      <LossesChart rows={losses} />
    </section>
  );
}
