/** A line through one point draws nothing: the charts draw the points that stand alone as dots. */
import { describe, expect, it } from 'vitest';
import { isolatedRows, type ChartRow } from '../../app/playground/SeriesPaths';

const rows = (values: (number | null)[]): ChartRow[] => values.map((value, iteration) => ({ iteration, real: value }));

describe('isolatedRows', () => {
  it('finds the first report of a run, alone on its chart', () => {
    expect([...isolatedRows(rows([-1200]), 'real')]).toEqual([0]);
  });

  it('finds a value between gaps and at either end next to a gap, and no value with a neighbour', () => {
    expect([...isolatedRows(rows([1, null, 3, null, 5, 6, null, 8]), 'real')]).toEqual([0, 2, 7]);
    expect([...isolatedRows(rows([1, 2, 3]), 'real')]).toEqual([]);
    expect([...isolatedRows(rows([null, null]), 'real')]).toEqual([]);
  });

  it('reads only the series asked for', () => {
    expect([...isolatedRows([{ iteration: 0, real: 1, sim: null }], 'sim')]).toEqual([]);
  });
});
