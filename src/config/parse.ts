import { experimentConfigSchema, type ExperimentConfig } from './schema';

/** One problem in a config, by its dotted path: what a user needs to find and fix it. */
export interface ConfigProblem {
  readonly path: string;
  readonly message: string;
}

export type ConfigParseResult =
  | { readonly ok: true; readonly config: ExperimentConfig }
  | { readonly ok: false; readonly problems: readonly ConfigProblem[] };

/** Validates untrusted input (a file, a message): every problem is reported, nothing is thrown. */
export function parseConfig(input: unknown): ConfigParseResult {
  const result = experimentConfigSchema.safeParse(input);
  if (result.success) return { ok: true, config: result.data };
  return {
    ok: false,
    problems: result.error.issues.map((issue) => ({
      path: issue.path.length === 0 ? '(config)' : issue.path.map(String).join('.'),
      message: issue.message,
    })),
  };
}

export function formatConfigProblems(problems: readonly ConfigProblem[]): string {
  return problems.map((problem) => `  ${problem.path}: ${problem.message}`).join('\n');
}

export const defaultConfig: ExperimentConfig = experimentConfigSchema.parse({});
