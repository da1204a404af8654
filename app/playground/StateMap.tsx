/**
 * The state-space map: the model's one-step error over a 2-D projection of the state space (the
 * heatmap), where the real policy goes (dots sized by visits) and the first evaluation episode's
 * path, real and imagined. The mismatch in one picture: is the model good where the policy goes?
 * In compare mode there is one map per compared config (its first seed), side by side.
 */
import { useEffect, useMemo, useRef, useState, type MouseEvent } from 'react';
import type { IterationReport } from '../../src/report';
import { ERROR_GRADIENT, errorColour, logPosition } from './colourScale';
import { isDrawable, MAX_DRAWABLE } from './drawable';
import { formatValue } from './knobs';
import { PngButton } from './ExportImport';
import { useShownVariants, useVariantLatestReports } from './shownVariants';
import { prepareCanvas, useElementSize } from './useCanvas';

type Grid = IterationReport['grid'];
const MARGIN = { left: 40, right: 10, top: 8, bottom: 30 };
const REAL_PATH = '#1d4ed8';
const SIM_PATH = '#7c3aed';
const ADVERSARY_PATH = '#be123c';

interface Hover {
  readonly x: number;
  readonly y: number;
  readonly cell: number;
}

/** Whether the map can place points on the grid's axes (a file may hold ±1e308 ends). */
const axesDrawable = (grid: Grid): boolean =>
  [...grid.xRange, ...grid.yRange].every((end) => isDrawable(end));

const pointDrawable = (point: readonly [number, number]): boolean =>
  isDrawable(point[0]) && isDrawable(point[1]);

/** What the map leaves out because it cannot draw it (drawable.ts), as text; '' for nothing. */
function undrawnOnMap(report: IterationReport): string {
  const { grid, trajectories } = report;
  const limit = `±${MAX_DRAWABLE.toExponential(0)}`;
  if (!axesDrawable(grid)) {
    const span = (range: readonly [number, number]) =>
      `${formatValue(range[0])} to ${formatValue(range[1])}`;
    return (
      `Not drawn, beyond what a map can show (${limit}): its axes, ${grid.xLabel} from ` +
      `${span(grid.xRange)} and ${grid.yLabel} from ${span(grid.yRange)}, so no path is drawn.`
    );
  }
  // Points that are not finite are a diverged model's, and were always skipped unsaid.
  const points = [...trajectories.real, ...trajectories.sim, ...trajectories.adversary];
  const beyond = points.filter((p) => p.every(Number.isFinite) && !pointDrawable(p));
  if (beyond.length === 0) return '';
  const largest = beyond.flat().reduce((a, b) => (Math.abs(b) > Math.abs(a) ? b : a), 0);
  return (
    `Not drawn, beyond what a map can show (${limit}): ${beyond.length} ` +
    `${beyond.length === 1 ? 'point' : 'points'} of the paths, up to ${formatValue(largest)}.`
  );
}

function errorRange(grid: Grid): [number, number] {
  const values = grid.error.filter((value): value is number => value !== null && value > 0);
  if (values.length === 0) return [1e-3, 1];
  return [Math.min(...values), Math.max(...values)];
}

export function StateMaps() {
  const variants = useShownVariants();
  const latest = useVariantLatestReports();
  if (variants.length <= 1) return <StateMap report={latest[0] ?? null} title="State-space map" />;
  return (
    <div className="state-maps">
      {variants.map((variant) => (
        <StateMap
          key={variant.index}
          report={latest[variant.index] ?? null}
          title={`State-space map ${variant.letter}`}
          subtitle={`${variant.letter}: ${variant.label}`}
          colour={variant.colour}
          failure={variant.refused ? (variant.failures[0]?.error.message ?? null) : null}
        />
      ))}
    </div>
  );
}

interface StateMapProps {
  readonly report: IterationReport | null;
  /** Names the figure for its PNG and its canvas's accessible name. */
  readonly title: string;
  /** Which compared config, in its colour. */
  readonly subtitle?: string;
  readonly colour?: string;
  readonly failure?: string | null;
}

function StateMap({ report, title, subtitle, colour, failure = null }: StateMapProps) {
  const canvasRef = useRef<HTMLCanvasElement>(null);
  const { width, height } = useElementSize(canvasRef);
  const [hover, setHover] = useState<Hover | null>(null);
  const grid = report?.grid ?? null;
  const range = useMemo(() => (grid === null ? null : errorRange(grid)), [grid]);
  const undrawn = useMemo(() => (report === null ? '' : undrawnOnMap(report)), [report]);

  useEffect(() => {
    const canvas = canvasRef.current;
    if (canvas === null || width === 0 || height === 0) return;
    const ctx = prepareCanvas(canvas, width, height);
    if (ctx === null) return;
    ctx.clearRect(0, 0, width, height);
    const plotW = width - MARGIN.left - MARGIN.right;
    const plotH = height - MARGIN.top - MARGIN.bottom;
    ctx.fillStyle = '#f1f5f9';
    ctx.fillRect(MARGIN.left, MARGIN.top, plotW, plotH);
    if (report === null || grid === null || range === null) return;
    const { size, xRange, yRange } = grid;
    const cellW = plotW / size;
    const cellH = plotH / size;
    const toX = (x: number) => MARGIN.left + ((x - xRange[0]) / (xRange[1] - xRange[0])) * plotW;
    const toY = (y: number) =>
      MARGIN.top + plotH - ((y - yRange[0]) / (yRange[1] - yRange[0])) * plotH;

    // Cells are row-major with y as the row, y growing upwards on screen.
    for (let iy = 0; iy < size; iy++) {
      for (let ix = 0; ix < size; ix++) {
        const value = grid.error[iy * size + ix];
        if (value === null) continue;
        ctx.fillStyle = errorColour(logPosition(Math.max(value, range[0]), range[0], range[1]));
        ctx.fillRect(
          MARGIN.left + ix * cellW,
          MARGIN.top + plotH - (iy + 1) * cellH,
          Math.ceil(cellW),
          Math.ceil(cellH),
        );
      }
    }

    const maxVisits = Math.max(1, ...grid.realVisits);
    for (let cell = 0; cell < grid.realVisits.length; cell++) {
      const count = grid.realVisits[cell];
      if (count === 0) continue;
      const ix = cell % size;
      const iy = Math.floor(cell / size);
      const radius = 1.5 + Math.min(cellW, cellH) * 0.38 * Math.sqrt(count / maxVisits);
      ctx.beginPath();
      ctx.arc(
        MARGIN.left + (ix + 0.5) * cellW,
        MARGIN.top + plotH - (iy + 0.5) * cellH,
        radius,
        0,
        2 * Math.PI,
      );
      ctx.fillStyle = 'rgba(255, 255, 255, 0.9)';
      ctx.fill();
      ctx.lineWidth = 1.2;
      ctx.strokeStyle = '#0f172a';
      ctx.stroke();
    }

    const drawPath = (
      points: readonly (readonly [number, number])[],
      colour: string,
      dash: number[],
    ) => {
      ctx.save();
      ctx.beginPath();
      ctx.rect(MARGIN.left, MARGIN.top, plotW, plotH);
      ctx.clip();
      ctx.strokeStyle = colour;
      ctx.lineWidth = 2.2;
      ctx.lineJoin = 'round';
      ctx.setLineDash(dash);
      ctx.beginPath();
      let previous: readonly [number, number] | null = null;
      for (const point of points) {
        if (!pointDrawable(point)) {
          previous = null;
          continue;
        }
        // A wrapped angle jumps across the map: lift the pen rather than draw the jump.
        const jump =
          previous !== null &&
          (Math.abs(point[0] - previous[0]) > (xRange[1] - xRange[0]) / 2 ||
            Math.abs(point[1] - previous[1]) > (yRange[1] - yRange[0]) / 2);
        if (previous === null || jump) ctx.moveTo(toX(point[0]), toY(point[1]));
        else ctx.lineTo(toX(point[0]), toY(point[1]));
        previous = point;
      }
      ctx.stroke();
      ctx.restore();
      const start = points.find(pointDrawable);
      if (start !== undefined) {
        ctx.beginPath();
        ctx.arc(toX(start[0]), toY(start[1]), 4, 0, 2 * Math.PI);
        ctx.fillStyle = colour;
        ctx.fill();
      }
    };
    if (axesDrawable(grid)) {
      drawPath(report.trajectories.sim, SIM_PATH, [6, 4]);
      // The Error-MDP's adversary in the real env: where it went looking for the model's holes.
      drawPath(report.trajectories.adversary, ADVERSARY_PATH, [2, 3]);
      drawPath(report.trajectories.real, REAL_PATH, []);
    }

    // Axes: the ranges at the ends, the labels in the middle.
    ctx.fillStyle = '#475569';
    ctx.font = '11px ui-sans-serif, system-ui, sans-serif';
    ctx.textBaseline = 'top';
    ctx.textAlign = 'left';
    ctx.fillText(
      formatValue(Number(xRange[0].toPrecision(3))),
      MARGIN.left,
      MARGIN.top + plotH + 4,
    );
    ctx.textAlign = 'right';
    ctx.fillText(
      formatValue(Number(xRange[1].toPrecision(3))),
      MARGIN.left + plotW,
      MARGIN.top + plotH + 4,
    );
    ctx.textAlign = 'center';
    ctx.font = '600 12px ui-sans-serif, system-ui, sans-serif';
    ctx.fillText(grid.xLabel, MARGIN.left + plotW / 2, MARGIN.top + plotH + 6);
    ctx.font = '11px ui-sans-serif, system-ui, sans-serif';
    ctx.textAlign = 'right';
    ctx.textBaseline = 'bottom';
    ctx.fillText(formatValue(Number(yRange[1].toPrecision(3))), MARGIN.left - 4, MARGIN.top + 12);
    ctx.textBaseline = 'top';
    ctx.fillText(
      formatValue(Number(yRange[0].toPrecision(3))),
      MARGIN.left - 4,
      MARGIN.top + plotH - 12,
    );
    ctx.save();
    ctx.translate(MARGIN.left - 14, MARGIN.top + plotH / 2);
    ctx.rotate(-Math.PI / 2);
    ctx.textAlign = 'center';
    ctx.textBaseline = 'middle';
    ctx.font = '600 12px ui-sans-serif, system-ui, sans-serif';
    ctx.fillText(grid.yLabel, 0, 0);
    ctx.restore();

    if (hover !== null) {
      const ix = hover.cell % size;
      const iy = Math.floor(hover.cell / size);
      ctx.strokeStyle = '#0f172a';
      ctx.lineWidth = 2;
      ctx.strokeRect(MARGIN.left + ix * cellW, MARGIN.top + plotH - (iy + 1) * cellH, cellW, cellH);
    }
  }, [report, grid, range, width, height, hover]);

  const onMove = (event: MouseEvent<HTMLCanvasElement>) => {
    if (grid === null) return;
    const rect = event.currentTarget.getBoundingClientRect();
    const x = event.clientX - rect.left;
    const y = event.clientY - rect.top;
    const plotW = rect.width - MARGIN.left - MARGIN.right;
    const plotH = rect.height - MARGIN.top - MARGIN.bottom;
    const ix = Math.floor(((x - MARGIN.left) / plotW) * grid.size);
    const iy = Math.floor(((MARGIN.top + plotH - y) / plotH) * grid.size);
    if (ix < 0 || iy < 0 || ix >= grid.size || iy >= grid.size) setHover(null);
    else setHover({ x, y, cell: iy * grid.size + ix });
  };

  return (
    <figure className="card state-map" aria-label={title}>
      <figcaption className="card-title">
        {subtitle === undefined ? (
          <span>Where the model is wrong, and where the policy goes</span>
        ) : (
          <span className="variant-title" style={{ borderColor: colour }}>
            {subtitle}
          </span>
        )}
        {grid !== null && (
          <span className="card-meta">
            {grid.xLabel} × {grid.yLabel}
          </span>
        )}
        <PngButton
          title={title}
          kind="canvas"
          caption={subtitle === undefined ? title : `${title} — ${subtitle}`}
        />
      </figcaption>
      <div className="map-canvas">
        <canvas
          ref={canvasRef}
          role="img"
          aria-label={
            grid === null
              ? `${title}: no report yet`
              : `${title} over ${grid.xLabel} and ${grid.yLabel}: model error per cell, real visits as dots, real and imagined paths`
          }
          onMouseMove={onMove}
          onMouseLeave={() => setHover(null)}
        />
        {grid === null && (
          <p className="canvas-empty">
            {failure === null
              ? 'The model’s error over the state space appears after the first iteration.'
              : `This config did not run: ${failure}`}
          </p>
        )}
        {grid !== null && hover !== null && (
          <CellTooltip grid={grid} hover={hover} flip={hover.x > width / 2} />
        )}
      </div>
      {undrawn !== '' && (
        <p className="chart-undrawn" role="note">
          {undrawn}
        </p>
      )}
      <div className="legend map-legend">
        <span className="scale">
          <span className="scale-label">error {range === null ? '' : formatValue(range[0])}</span>
          <span className="scale-bar" style={{ background: ERROR_GRADIENT }} />
          <span className="scale-label">{range === null ? '' : formatValue(range[1])} (log)</span>
        </span>
        <span>
          <span className="swatch swatch--dot" /> real visits
        </span>
        <span>
          <span className="swatch swatch--line" style={{ background: REAL_PATH }} /> real path
        </span>
        <span>
          <span className="swatch swatch--dash" style={{ borderColor: SIM_PATH }} /> model’s path
        </span>
        {(report?.trajectories.adversary.length ?? 0) > 0 && (
          <span>
            <span className="swatch swatch--dash" style={{ borderColor: ADVERSARY_PATH }} />{' '}
            adversary’s path
          </span>
        )}
      </div>
    </figure>
  );
}

function CellTooltip({ grid, hover, flip }: { grid: Grid; hover: Hover; flip: boolean }) {
  const ix = hover.cell % grid.size;
  const iy = Math.floor(hover.cell / grid.size);
  const span = (range: readonly [number, number], index: number) => {
    if (!axesDrawable(grid)) return '(not drawable)';
    const step = (range[1] - range[0]) / grid.size;
    return `${formatValue(Number((range[0] + index * step).toPrecision(3)))} … ${formatValue(Number((range[0] + (index + 1) * step).toPrecision(3)))}`;
  };
  const error = grid.error[hover.cell];
  return (
    <div
      className="map-tooltip"
      style={{
        left: hover.x + (flip ? -12 : 12),
        top: hover.y + 12,
        transform: flip ? 'translateX(-100%)' : undefined,
      }}
      role="status"
    >
      <div>
        {grid.xLabel} {span(grid.xRange, ix)}
      </div>
      <div>
        {grid.yLabel} {span(grid.yRange, iy)}
      </div>
      <div>
        <strong>error</strong> {error === null ? 'no samples' : formatValue(error)}
      </div>
      <div>real visits {grid.realVisits[hover.cell]}</div>
      <div>model visits {grid.modelVisits[hover.cell]}</div>
    </div>
  );
}
