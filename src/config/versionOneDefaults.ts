/**
 * What version 2 changed: the defaults. Version 1's default run (five members of 2×200 units
 * imagining 256 rollouts) took a minute an iteration on WASM; version 2's answers within seconds,
 * and the large setup is the `heavy` preset. A version-1 config or link meant version 1's defaults
 * wherever it said nothing, so it reads them back in (parse.ts, urlMigrations.ts).
 */
export const VERSION_ONE_DEFAULTS = {
  data: { realStepsPerIteration: 200 },
  model: { ensembleSize: 5, width: 200, trainStepsPerIteration: 200 },
  imagination: { rollouts: 256 },
  optimiser: { stepsPerIteration: 50, learningRate: 1e-3 },
  evaluation: { episodes: 8 },
} as const;

/** The same as link keys and values (the knob registry's keys, src/config/knobs.ts). */
export const VERSION_ONE_DEFAULT_PAIRS: readonly { readonly key: string; readonly value: string }[] = [
  { key: 'steps', value: '200' },
  { key: 'ens', value: '5' },
  { key: 'width', value: '200' },
  { key: 'fit', value: '200' },
  { key: 'B', value: '256' },
  { key: 'psteps', value: '50' },
  { key: 'plr', value: '0.001' },
  { key: 'evep', value: '8' },
];
