/**
 * How close a port's value must be to Gymnasium's (reference README): relative 1e-9 with an
 * absolute floor of 1e-12 for float64 values; a float32 value must itself be a float32 and may sit
 * at most one float32 ulp away (a trig result on a rounding boundary).
 */
export const RELATIVE_TOLERANCE = 1e-9;
export const ABSOLUTE_FLOOR = 1e-12;

export type Agreement = 'exact' | 'close' | 'oneUlp' | 'different';

const float32Scratch = new Float32Array(1);
const float32Bits = new Int32Array(float32Scratch.buffer);

/** Float32 values mapped to integers that count ulps, monotonic across zero (+0 and -0 are 0). */
function float32Ordinal(value: number): number {
  float32Scratch[0] = value;
  const bits = float32Bits[0];
  return bits < 0 ? -(bits & 0x7fffffff) : bits;
}

export function float32UlpDistance(a: number, b: number): number {
  return Math.abs(float32Ordinal(a) - float32Ordinal(b));
}

export function compareValue(
  expected: number,
  got: number,
  dtype: 'float32' | 'float64',
): Agreement {
  if (Object.is(expected, got) || expected === got) return 'exact';
  if (dtype === 'float32' && Math.fround(got) !== got) return 'different';
  const error = Math.abs(got - expected);
  if (error <= Math.max(RELATIVE_TOLERANCE * Math.abs(expected), ABSOLUTE_FLOOR)) return 'close';
  if (
    dtype === 'float32' &&
    Math.fround(expected) === expected &&
    float32UlpDistance(expected, got) <= 1
  ) {
    return 'oneUlp';
  }
  return 'different';
}
