import { useId } from 'react';
import { selectSeed, usePlayTabStore } from './playTabStore';

/** The seed of the env's reset stream: the same seed gives the same start states, in order. */
export function SeedInput() {
  const id = useId();
  const seed = usePlayTabStore(selectSeed);
  const setSeed = usePlayTabStore((state) => state.setSeed);
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
