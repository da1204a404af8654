import { describe, expect, it } from 'vitest';
import { bound, clip, floatModulo, wrap } from '../../src/envs/numerics';
import { angleNormalize } from '../../src/envs/pendulum';
import { compareValue, float32UlpDistance } from '../../src/envs/tolerance';
import { createRng } from '../../src/rng';

const TWO_PI = 2 * Math.PI;

describe('floatModulo (NumPy float %)', () => {
  it('takes the sign of the divisor, as Python does', () => {
    expect(floatModulo(7, 3)).toBe(1);
    expect(floatModulo(-7, 3)).toBe(2);
    expect(floatModulo(7, -3)).toBe(-2);
    expect(floatModulo(-7, -3)).toBe(-1);
    expect(floatModulo(5.5, 2)).toBe(1.5);
    expect(floatModulo(-0.5, 2)).toBe(1.5);
  });

  it("returns a zero with the divisor's sign", () => {
    expect(Object.is(floatModulo(-6, 3), 0)).toBe(true);
    expect(Object.is(floatModulo(-0, 3), 0)).toBe(true);
    expect(Object.is(floatModulo(6, -3), -0)).toBe(true);
  });

  it('adds the divisor once instead of twice (the last bits NumPy keeps)', () => {
    // ((x % m) + m) % m rounds at both additions; NumPy rounds once.
    const x = -1e-17;
    expect(floatModulo(x, TWO_PI)).toBe(x + TWO_PI);
  });
});

describe('Pendulum angleNormalize', () => {
  const viaModulo = (theta: number) => floatModulo(theta + Math.PI, TWO_PI) - Math.PI;

  it("matches NumPy's ((x + pi) % 2pi) - pi bit for bit, including its fast paths", () => {
    const rng = createRng(41);
    const specials = [
      0,
      -0,
      Math.PI,
      -Math.PI,
      TWO_PI,
      -TWO_PI,
      3 * Math.PI,
      -3 * Math.PI,
      5 * Math.PI,
      -5 * Math.PI,
    ];
    const near = specials.flatMap((x) => [
      x,
      x * (1 + 2 ** -52),
      x * (1 - 2 ** -52),
      x + 1e-15,
      x - 1e-15,
    ]);
    const random = Array.from({ length: 20000 }, () => rng.uniform(-40, 40));
    for (const theta of [...near, ...random]) {
      expect(Object.is(angleNormalize(theta), viaModulo(theta)), `theta = ${theta}`).toBe(true);
    }
  });

  it('maps into [-pi, pi)', () => {
    expect(angleNormalize(Math.PI)).toBe(-Math.PI);
    expect(angleNormalize(-3 * Math.PI)).toBe(-Math.PI);
    expect(angleNormalize(0.5 + TWO_PI)).toBeCloseTo(0.5, 12);
  });
});

describe('Acrobot wrap and bound', () => {
  it('wraps by whole periods into [low, high], leaving the bounds themselves alone', () => {
    expect(wrap(Math.PI, -Math.PI, Math.PI)).toBe(Math.PI);
    expect(wrap(-Math.PI, -Math.PI, Math.PI)).toBe(-Math.PI);
    expect(wrap(3.5, -Math.PI, Math.PI)).toBe(3.5 - TWO_PI);
    expect(wrap(-10, -Math.PI, Math.PI)).toBe(-10 + TWO_PI + TWO_PI);
    expect(wrap(1, -Math.PI, Math.PI)).toBe(1);
  });

  it('bounds like min(max(x, low), high)', () => {
    expect(bound(5, -1, 1)).toBe(1);
    expect(bound(-5, -1, 1)).toBe(-1);
    expect(bound(0.5, -1, 1)).toBe(0.5);
    expect(clip(5, -1, 1)).toBe(1);
    expect(clip(-5, -1, 1)).toBe(-1);
  });
});

describe('conformance tolerance', () => {
  const f32 = Math.fround;

  it('accepts float64 values within 1e-9 relative or 1e-12 absolute, and nothing more', () => {
    expect(compareValue(1.5, 1.5, 'float64')).toBe('exact');
    expect(compareValue(1, 1 + 5e-10, 'float64')).toBe('close');
    expect(compareValue(1, 1 + 2e-9, 'float64')).toBe('different');
    expect(compareValue(1e-20, 5e-13, 'float64')).toBe('close');
    expect(compareValue(1e-20, 2e-12, 'float64')).toBe('different');
    expect(compareValue(1, NaN, 'float64')).toBe('different');
    expect(compareValue(Infinity, Infinity, 'float64')).toBe('exact');
  });

  it('accepts a float32 value at most one float32 ulp away, and only if it is a float32', () => {
    const x = f32(0.7);
    const up = f32(x + 2 ** -24);
    expect(float32UlpDistance(x, up)).toBe(1);
    expect(compareValue(x, up, 'float32')).toBe('oneUlp');
    expect(compareValue(x, f32(up + 2 ** -24), 'float32')).toBe('different');
    // The port forgot Math.fround: close in float64 terms but not a float32.
    expect(compareValue(x, x + 1e-12, 'float32')).toBe('different');
    expect(float32UlpDistance(f32(-1e-45), f32(1e-45))).toBe(2);
  });
});
