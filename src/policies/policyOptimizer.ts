/**
 * The Adam state of one policy's improver: built on the first step, kept across iterations, and
 * bound to that policy (its moments mean nothing for another one's weights).
 */
import { AdamW } from '../models/adamW';
import type { PolicyNetwork } from './policyNetwork';

export class PolicyOptimizer {
  private optimizer: AdamW | null = null;
  private boundTo: PolicyNetwork | null = null;

  /** `owner` names the improver in the error for a second policy. */
  constructor(private readonly owner: string) {}

  for(policy: PolicyNetwork): AdamW {
    if (this.optimizer === null) {
      const variables = policy.variables;
      this.optimizer = new AdamW(
        variables,
        variables.map(() => false),
      );
      this.boundTo = policy;
    } else if (this.boundTo !== policy) {
      throw new Error(`${this.owner}: one improver serves one policy`);
    }
    return this.optimizer;
  }

  dispose(): void {
    this.optimizer?.dispose();
    this.optimizer = null;
    this.boundTo = null;
  }
}
