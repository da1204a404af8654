/**
 * Scalar helpers that reproduce Python/NumPy arithmetic bit for bit where JavaScript differs.
 */

/** Rounds to the nearest float32, the dtype of Gymnasium's observations and box actions. */
export const toFloat32 = Math.fround;

/**
 * NumPy's float `%` (np.remainder): the result takes the sign of the divisor and a zero result is
 * +0 for a positive divisor. JavaScript's `%` is C's fmod (sign of the dividend); adding the divisor
 * once to a result of the wrong sign is what NumPy does too. `((x % m) + m) % m` would round twice.
 */
export function floatModulo(x: number, m: number): number {
  const r = x % m;
  if (r === 0) return m < 0 ? -0 : 0;
  return r < 0 !== m < 0 ? r + m : r;
}

/**
 * Acrobot's `wrap(x, m, M)`: shifts x by whole periods M - m until it lies in [m, M]. A loop, not a
 * modulo, because Gymnasium's subtractions round differently from an fmod.
 */
export function wrap(x: number, low: number, high: number): number {
  const period = high - low;
  let wrapped = x;
  while (wrapped > high) wrapped -= period;
  while (wrapped < low) wrapped += period;
  return wrapped;
}

/** Acrobot's `bound(x, m, M)`: Python's `min(max(x, m), M)` (x itself when it ties a bound). */
export function bound(x: number, low: number, high: number): number {
  const atLeastLow = low > x ? low : x;
  return high < atLeastLow ? high : atLeastLow;
}

/** NumPy's `clip(x, low, high)` = `minimum(maximum(x, low), high)` for non-NaN values. */
export function clip(x: number, low: number, high: number): number {
  if (x < low) return low;
  if (x > high) return high;
  return x;
}
