/** A sequential colour scale for errors: pale yellow (small) through orange to deep red (large). */
const STOPS: readonly (readonly [number, number, number])[] = [
  [255, 255, 204],
  [254, 217, 118],
  [253, 141, 60],
  [227, 26, 28],
  [128, 0, 38],
];

/** t in [0, 1] → an rgb() string. */
export function errorColour(t: number): string {
  const x = Math.min(1, Math.max(0, t)) * (STOPS.length - 1);
  const i = Math.min(STOPS.length - 2, Math.floor(x));
  const f = x - i;
  const [r, g, b] = STOPS[i].map((value, k) => Math.round(value + f * (STOPS[i + 1][k] - value)));
  return `rgb(${r}, ${g}, ${b})`;
}

/** The same scale as a CSS gradient, for the legend. */
export const ERROR_GRADIENT = `linear-gradient(to right, ${STOPS.map(([r, g, b]) => `rgb(${r}, ${g}, ${b})`).join(', ')})`;

/** Where a value sits on a log scale between low and high (both > 0). */
export function logPosition(value: number, low: number, high: number): number {
  if (!(high > low) || !(low > 0)) return 0.5;
  return (Math.log(value) - Math.log(low)) / (Math.log(high) - Math.log(low));
}
