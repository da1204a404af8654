/**
 * The three things a person can ask of any env from the keyboard or the on-screen buttons —
 * push left, do nothing, push right — and what each means in an env's own action space.
 */
import type { ActionSpace } from '../src/envs/types';

export type Direction = 'left' | 'none' | 'right';

export const DIRECTIONS: readonly Direction[] = ['left', 'none', 'right'];

/**
 * The env action for a direction. Box spaces push with ±max; discrete spaces use their lowest,
 * middle and highest actions. An even discrete space (CartPole: left, right) has no "do nothing",
 * so "none" alternates the two middle actions step by step, which nets out to almost no push.
 */
export function actionForDirection(space: ActionSpace, direction: Direction, step: number): number {
  if (space.kind === 'box') {
    if (direction === 'left') return space.low;
    if (direction === 'right') return space.high;
    return 0;
  }
  if (direction === 'left') return 0;
  if (direction === 'right') return space.n - 1;
  const middle = (space.n - 1) / 2;
  if (Number.isInteger(middle)) return middle;
  return step % 2 === 0 ? Math.floor(middle) : Math.ceil(middle);
}

/** A short caption of what a direction does in this space, shown under its button. */
export function describeDirection(space: ActionSpace, direction: Direction): string {
  if (space.kind === 'box') return formatSigned(actionForDirection(space, direction, 0));
  if (direction === 'none' && space.n % 2 === 0) {
    return `a=${actionForDirection(space, direction, 0)}↔${actionForDirection(space, direction, 1)}`;
  }
  return `a=${actionForDirection(space, direction, 0)}`;
}

export function formatSigned(value: number): string {
  if (value === 0) return '0';
  return `${value > 0 ? '+' : '−'}${Math.abs(value)}`;
}
