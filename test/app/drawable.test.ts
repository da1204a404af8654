import { describe, expect, it } from 'vitest';
import {
  describeUndrawn,
  isDrawable,
  MAX_DRAWABLE,
  splitDrawable,
} from '../../app/playground/drawable';
import { formatValue } from '../../app/playground/knobs';

describe('what a chart can draw', () => {
  it('is a finite value within ±1e300 (on a log axis, from 1e-300 up)', () => {
    expect(isDrawable(-183.2)).toBe(true);
    expect(isDrawable(MAX_DRAWABLE)).toBe(true);
    expect(isDrawable(-MAX_DRAWABLE)).toBe(true);
    for (const value of [1e308, -1e308, Infinity, Number.NaN])
      expect(isDrawable(value)).toBe(false);
    expect(isDrawable(1e-320)).toBe(true);
    expect(isDrawable(1e-320, 'log')).toBe(false);
    expect(isDrawable(0, 'log')).toBe(false);
    expect(isDrawable(1e-3, 'log')).toBe(true);
  });

  it('leaves values it cannot draw out of the rows, and says which, where and how large', () => {
    const rows = [1, 2, 3].map((iteration) => ({
      iteration,
      '0_real': 1e308,
      '0_sim': -800 + iteration,
      '0_bound_pm': [-1e308, 1e308] as [number, number],
      '0_gap': iteration === 2 ? -1e308 : 100,
    }));
    const split = splitDrawable(rows, ['0_real', '0_sim', '0_bound_pm', '0_gap'], 'linear');
    expect(split.rows).toEqual([
      { iteration: 1, '0_sim': -799, '0_gap': 100 },
      { iteration: 2, '0_sim': -798 },
      { iteration: 3, '0_sim': -797, '0_gap': 100 },
    ]);
    expect(split.undrawn).toEqual([
      { key: '0_real', extreme: 1e308, iterations: [1, 2, 3] },
      { key: '0_bound_pm', extreme: 1e308, iterations: [1, 2, 3] },
      { key: '0_gap', extreme: -1e308, iterations: [2] },
    ]);
    // Nothing to leave out: the very same rows, so a chart is not drawn again for nothing.
    const fine = [{ iteration: 1, '0_sim': -5 }];
    expect(splitDrawable(fine, ['0_sim'], 'linear').rows).toBe(fine);
    const labels = new Map([
      ['0_real', 'real'],
      ['0_bound_pm', '±bound'],
      ['0_gap', 'gap'],
    ]);
    expect(describeUndrawn(split.undrawn, labels, 'linear')).toBe(
      'Not drawn, beyond what a chart can show (±1e+300): real 1.0e+308 at iterations 1–3; ' +
        '±bound 1.0e+308 at iterations 1–3; gap -1.0e+308 at iteration 2.',
    );
    expect(
      describeUndrawn([{ key: '0_u', extreme: 5e-324, iterations: [1, 3] }], new Map(), 'log'),
    ).toBe(
      'Not drawn, beyond what a log axis can show (1e-300 to 1e+300): 0_u 4.9e-324 at iterations 1, 3.',
    );
  });

  it('writes a huge whole number with an exponent, not 309 digits', () => {
    expect(formatValue(1e308)).toBe('1.0e+308');
    expect(formatValue(-1e20)).toBe('-1.0e+20');
    expect(formatValue(2 ** 31 - 1)).toBe('2,147,483,647');
    expect(formatValue(-1234)).toBe('-1,234');
  });
});
