import { useId } from 'react';
import { selectSeed, useLabStore } from './store';

/** The seed of the env's reset stream: the same seed gives the same start states, in order. */
export function SeedInput() {
  const id = useId();
  const seed = useLabStore(selectSeed);
  const setSeed = useLabStore((state) => state.setSeed);
  return (
    <div className="field field--inline">
      <label htmlFor={id}>Seed</label>
      <input
        id={id}
        type="number"
        inputMode="numeric"
        min={0}
        step={1}
        value={seed}
        onChange={(event) => {
          const value = Number.parseInt(event.target.value, 10);
          if (Number.isSafeInteger(value) && value >= 0) setSeed(value);
        }}
      />
    </div>
  );
}
