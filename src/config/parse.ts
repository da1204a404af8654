import { experimentConfigSchema, type ExperimentConfig } from './schema';
import { VERSION_ONE_DEFAULTS } from './versionOneDefaults';

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** A version-1 config as version 2 reads it: its own values over version 1's changed defaults. */
function fromVersionOne(input: unknown): unknown {
  if (!isRecord(input) || input.version !== 1) return input;
  const merged: Record<string, unknown> = { ...input, version: 2 };
  for (const [section, defaults] of Object.entries(VERSION_ONE_DEFAULTS)) {
    const own = input[section];
    // A section that is not an object is left to the schema to refuse.
    if (own === undefined || isRecord(own)) merged[section] = { ...defaults, ...(own ?? {}) };
  }
  return merged;
}

/** One problem in a config, by its dotted path: what a user needs to find and fix it. */
export interface ConfigProblem {
  readonly path: string;
  readonly message: string;
}

export type ConfigParseResult =
  | { readonly ok: true; readonly config: ExperimentConfig }
  | { readonly ok: false; readonly problems: readonly ConfigProblem[] };

/**
 * Validates untrusted input (a file, a message): every problem is reported, nothing is thrown.
 * A version-1 config gets version 1's defaults where it says nothing (versionOneDefaults.ts).
 */
export function parseConfig(input: unknown): ConfigParseResult {
  const result = experimentConfigSchema.safeParse(fromVersionOne(input));
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
