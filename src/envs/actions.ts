/**
 * Validation of a batch of actions before any env moves, so a bad action leaves the batch untouched
 * and the error names the env and the offending index.
 */
import type { EnvSpec } from './types';

export function validateActions(spec: EnvSpec, actions: ArrayLike<number>, size: number): void {
  if (actions === null || typeof actions !== 'object' || actions.length !== size) {
    const got = actions === null || typeof actions !== 'object' ? String(actions) : actions.length;
    throw new Error(`${spec.id}: step expects ${size} actions (one per env), got ${got}`);
  }
  const space = spec.actionSpace;
  if (space.kind === 'box') {
    for (let i = 0; i < size; i++) {
      const action = actions[i];
      // Out-of-range box actions are legal (each env clips them as Gymnasium does); NaN is not.
      if (typeof action !== 'number' || Number.isNaN(action)) {
        throw new Error(`${spec.id}: action at index ${i} is ${String(action)}, not a number`);
      }
    }
    return;
  }
  const n = space.n;
  for (let i = 0; i < size; i++) {
    const action = actions[i];
    if (!(action >= 0 && action < n && Math.floor(action) === action)) {
      throw new Error(
        `${spec.id}: action at index ${i} is ${String(action)}, not in Discrete(${n}) (an integer 0..${n - 1})`,
      );
    }
  }
}
