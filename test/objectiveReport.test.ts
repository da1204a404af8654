/**
 * The objective's part of a report, one member per objective: its own mechanism's figures, read
 * through the accessors; files written when every objective carried the others' fields as null
 * still read.
 */
import { describe, expect, it } from 'vitest';
import {
  adversaryFigures,
  classifierAccuracy,
  maximinFigures,
  objectiveReportSchema,
} from '../src/report';

describe('objective reports', () => {
  it('read a file of the old shape (every field, the others null) as the objective’s own member', () => {
    const old = { kind: 'mnm', adversary: null, classifierAccuracy: 0.52, maximin: null };
    const parsed = objectiveReportSchema.parse(old);
    expect(parsed).toEqual({ kind: 'mnm', classifierAccuracy: 0.52 });
    expect(classifierAccuracy(parsed)).toBe(0.52);
    expect(adversaryFigures(parsed)).toBeNull();
    expect(maximinFigures(parsed)).toBeNull();
  });

  it('give each mechanism’s figures only for its own objective', () => {
    const maximin = { valueDrop: 4.2, holdoutLossIncrease: 0.1, steps: 10 };
    const stackelberg = objectiveReportSchema.parse({ kind: 'stackelberg', maximin });
    expect(maximinFigures(stackelberg)).toEqual(maximin);
    expect(classifierAccuracy(stackelberg)).toBeNull();
    const adversary = {
      imaginedErrorReturn: 1,
      realCriticError: 0.1,
      realModelError: 0.2,
      collectedShare: 0.5,
    };
    const policyAware = objectiveReportSchema.parse({ kind: 'policyAware', adversary });
    expect(adversaryFigures(policyAware)).toEqual(adversary);
    expect(maximinFigures(null)).toBeNull();
  });

  it('refuses a kind no objective has, and an objective without its own field', () => {
    expect(objectiveReportSchema.safeParse({ kind: 'mse' }).success).toBe(false);
    expect(objectiveReportSchema.safeParse({ kind: 'mnm' }).success).toBe(false);
  });
});
