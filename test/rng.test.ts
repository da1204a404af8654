import { describe, expect, it } from 'vitest';
import { createRng } from '../src/rng';

describe('rng', () => {
  it('gives the same numbers for the same seed and stream', () => {
    const a = createRng(42).fork('env');
    const b = createRng(42).fork('env');
    const drawsA = Array.from({ length: 100 }, () => a.next());
    const drawsB = Array.from({ length: 100 }, () => b.next());
    expect(drawsA).toEqual(drawsB);
  });

  it('gives different numbers for different seeds and different streams', () => {
    const draw = (seed: number, stream: string) => createRng(seed).fork(stream).next();
    expect(draw(1, 'env')).not.toBe(draw(2, 'env'));
    expect(draw(1, 'env')).not.toBe(draw(1, 'model'));
  });

  it('forks by name, not by position: consuming the parent does not move a child', () => {
    const parent = createRng(7);
    const before = parent.fork('policy').next();
    for (let i = 0; i < 10; i++) parent.next();
    expect(parent.fork('policy').next()).toBe(before);
  });

  it('draws uniform, integer and normal values with the right moments', () => {
    const rng = createRng(3);
    const n = 200_000;
    let sum = 0;
    let sumSquares = 0;
    const counts = new Array(7).fill(0);
    let uniformSum = 0;
    let uniformMin = Infinity;
    let uniformMax = -Infinity;
    for (let i = 0; i < n; i++) {
      const z = rng.normal();
      sum += z;
      sumSquares += z * z;
      counts[rng.int(7)]++;
      const u = rng.uniform(-2, 4);
      uniformMin = Math.min(uniformMin, u);
      uniformMax = Math.max(uniformMax, u);
      uniformSum += u;
    }
    expect(uniformMin).toBeGreaterThanOrEqual(-2);
    expect(uniformMax).toBeLessThan(4);
    expect(Math.abs(sum / n)).toBeLessThan(0.01);
    expect(Math.abs(sumSquares / n - 1)).toBeLessThan(0.02);
    expect(Math.abs(uniformSum / n - 1)).toBeLessThan(0.02);
    for (const count of counts) expect(Math.abs(count / n - 1 / 7)).toBeLessThan(0.005);
  });

  it('refuses a seed that is not a number', () => {
    expect(() => createRng(Number.NaN)).toThrow(/seed/);
  });
});
