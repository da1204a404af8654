/**
 * Physical parameters: Gymnasium's defaults, overridden by name for the "real world" perturbations.
 */
import type { EnvId, PhysicalParams } from './types';

export interface ParamRules {
  readonly envId: EnvId;
  readonly defaults: PhysicalParams;
  /** Names that would divide by zero or make the physics meaningless at or below zero. */
  readonly positive: readonly string[];
  /** Names Gymnasium computes from others, so overriding them alone would be inconsistent. */
  readonly derived?: Readonly<Record<string, string>>;
}

/** The defaults with the overrides applied; throws on an unknown name or a non-finite value. */
export function resolveParams(
  rules: ParamRules,
  overrides?: Partial<PhysicalParams>,
): PhysicalParams {
  const resolved: Record<string, number> = { ...rules.defaults };
  if (overrides === undefined || overrides === null) return Object.freeze(resolved);
  if (typeof overrides !== 'object') {
    throw new Error(
      `${rules.envId}: params must be an object of numbers, got ${String(overrides)}`,
    );
  }
  for (const [name, value] of Object.entries(overrides)) {
    // An explicit `undefined` reads as "not overridden", as Partial<> allows.
    if (value === undefined) continue;
    const derivedFrom = rules.derived?.[name];
    if (derivedFrom !== undefined) {
      throw new Error(
        `${rules.envId}: parameter "${name}" is derived (${derivedFrom}); override its parts instead`,
      );
    }
    if (!Object.hasOwn(rules.defaults, name)) {
      throw new Error(
        `${rules.envId}: unknown physical parameter "${name}" (known: ${Object.keys(rules.defaults).join(', ')})`,
      );
    }
    if (typeof value !== 'number' || !Number.isFinite(value)) {
      throw new Error(
        `${rules.envId}: parameter "${name}" must be a finite number, got ${String(value)}`,
      );
    }
    if (rules.positive.includes(name) && value <= 0) {
      throw new Error(`${rules.envId}: parameter "${name}" must be positive, got ${value}`);
    }
    resolved[name] = value;
  }
  return Object.freeze(resolved);
}
