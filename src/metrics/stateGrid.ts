/**
 * The state-space map: a G×G grid over the env's 2-D projection, holding the model's mean error
 * per cell (from the uniform states) and how often the real policy and the imagined policy visit
 * each cell. Cells are row-major with y as the row: cell (ix, iy) is at iy·G + ix.
 */
import type { Projection } from '../envs/types';

export interface GridReport {
  readonly size: number;
  readonly xLabel: string;
  readonly yLabel: string;
  readonly xRange: readonly [number, number];
  readonly yRange: readonly [number, number];
  /** Mean one-step error per cell; null where no uniform state fell. */
  readonly error: (number | null)[];
  readonly realVisits: number[];
  readonly modelVisits: number[];
}

export function cellOf(projection: Projection, size: number, observation: ArrayLike<number>): number {
  const [x, y] = projection.project(observation);
  const [x0, x1] = projection.xRange;
  const [y0, y1] = projection.yRange;
  const ix = Math.min(size - 1, Math.max(0, Math.floor(((x - x0) / (x1 - x0)) * size)));
  const iy = Math.min(size - 1, Math.max(0, Math.floor(((y - y0) / (y1 - y0)) * size)));
  return iy * size + ix;
}

/** Counts rows of row-major observations into cells; non-finite rows are skipped. */
export function visitCounts(projection: Projection, size: number, observations: ArrayLike<number>, dim: number): number[] {
  const counts = new Array<number>(size * size).fill(0);
  const row = new Float64Array(dim);
  for (let start = 0; start + dim <= observations.length; start += dim) {
    let finite = true;
    for (let k = 0; k < dim; k++) {
      row[k] = observations[start + k];
      if (!Number.isFinite(row[k])) finite = false;
    }
    if (finite) counts[cellOf(projection, size, row)]++;
  }
  return counts;
}

export function meanPerCell(
  projection: Projection,
  size: number,
  observations: ArrayLike<number>,
  dim: number,
  values: ArrayLike<number>,
): (number | null)[] {
  const sums = new Float64Array(size * size);
  const counts = new Int32Array(size * size);
  const row = new Float64Array(dim);
  for (let i = 0; i < values.length; i++) {
    for (let k = 0; k < dim; k++) row[k] = observations[i * dim + k];
    const cell = cellOf(projection, size, row);
    sums[cell] += values[i];
    counts[cell]++;
  }
  return Array.from(sums, (sum, cell) => (counts[cell] === 0 ? null : round(sum / counts[cell])));
}

/** Reports stay small: four significant digits are plenty for a heatmap. */
export function round(value: number): number {
  return Number.isFinite(value) ? Number(value.toPrecision(4)) : value;
}

/** A trajectory's projected path, downsampled to at most `points` points for the report. */
export function projectPath(
  projection: Projection,
  observations: ArrayLike<number>,
  dim: number,
  points: number,
): [number, number][] {
  const count = Math.floor(observations.length / dim);
  const stride = Math.max(1, Math.ceil(count / points));
  const path: [number, number][] = [];
  const row = new Float64Array(dim);
  for (let i = 0; i < count; i += stride) {
    for (let k = 0; k < dim; k++) row[k] = observations[i * dim + k];
    const [x, y] = projection.project(row);
    if (Number.isFinite(x) && Number.isFinite(y)) path.push([round(x), round(y)]);
  }
  return path;
}
