/**
 * The format of the Gymnasium reference files (../shared/reference/gymnasium/README.md): episode
 * files (`<id>.json`, `<id>.goal.json`) hold `episodes`, transition files hold `cases`.
 */
import { z } from 'zod';

const numbers = z.array(z.number());
const stateDtype = z.enum(['float32', 'float64']);
/** Box actions are one-element lists, discrete actions plain integers. */
const action = z.union([z.number(), z.array(z.number()).length(1)]);
/** The files write ±inf as the strings "Infinity" / "-Infinity". */
const extendedNumber = z.union([
  z.number(),
  z.literal('Infinity').transform(() => Infinity),
  z.literal('-Infinity').transform(() => -Infinity),
]);

const constants = z.object({
  observation_space: z.object({ low: z.array(extendedNumber), high: z.array(extendedNumber) }),
  action_space: z.union([
    z.object({ type: z.literal('Box'), low: numbers, high: numbers }),
    z.object({ type: z.literal('Discrete'), n: z.number().int(), start: z.number().int() }),
  ]),
  max_episode_steps: z.number().int(),
  reward_threshold: z.number().nullable(),
  params: z.record(z.string(), z.unknown()),
});

const step = z.object({
  state: numbers,
  state_dtype: stateDtype,
  obs: numbers,
  action,
  reward: z.number(),
  next_state: numbers,
  next_state_dtype: stateDtype,
  next_obs: numbers,
  terminated: z.boolean(),
  truncated: z.boolean(),
});

const episode = z.object({
  seed: z.number(),
  initial_state: numbers,
  initial_state_dtype: stateDtype,
  initial_obs: numbers,
  steps: z.array(step).min(1),
});

const transitionCase = z.object({
  index: z.number().int(),
  state: numbers,
  state_dtype: stateDtype,
  action,
  reward: z.number(),
  next_state: numbers,
  next_state_dtype: stateDtype,
  next_obs: numbers,
  terminated: z.boolean(),
});

const header = { env: z.string(), constants };
const episodesFile = z.object({ ...header, episodes: z.array(episode).min(1) });
const transitionsFile = z.object({ ...header, cases: z.array(transitionCase).min(1) });

export type ReferenceConstants = z.infer<typeof constants>;
export type ReferenceEpisode = z.infer<typeof episode>;
export type ReferenceCase = z.infer<typeof transitionCase>;
export type ReferenceFile =
  | ({ readonly kind: 'episodes' } & z.infer<typeof episodesFile>)
  | ({ readonly kind: 'transitions' } & z.infer<typeof transitionsFile>);

export type ParsedReference =
  | { readonly ok: true; readonly file: ReferenceFile }
  | { readonly ok: false; readonly problem: string };

/**
 * Tells the kinds apart by content (`cases` or `episodes`) and checks that a `.transitions.json`
 * name agrees. Never throws: every problem comes back as one readable line.
 */
export function parseReference(data: unknown, fileName: string): ParsedReference {
  if (data === null || typeof data !== 'object' || Array.isArray(data)) {
    return { ok: false, problem: 'not a JSON object' };
  }
  const hasCases = 'cases' in data;
  const hasEpisodes = 'episodes' in data;
  if (hasCases === hasEpisodes) {
    return {
      ok: false,
      problem: hasCases
        ? 'has both `cases` and `episodes`; a file is one kind or the other'
        : 'has neither `cases` (transition file) nor `episodes` (episode file)',
    };
  }
  const namedAsTransitions = fileName.endsWith('.transitions.json');
  if (namedAsTransitions !== hasCases) {
    return {
      ok: false,
      problem: namedAsTransitions
        ? 'is named *.transitions.json but has `episodes`, not `cases`'
        : 'has `cases` but is not named *.transitions.json',
    };
  }
  const result = hasCases ? transitionsFile.safeParse(data) : episodesFile.safeParse(data);
  if (!result.success) {
    const issue = result.error.issues[0];
    const path = issue.path.length === 0 ? '(top level)' : issue.path.map(String).join('.');
    const more = result.error.issues.length > 1 ? ` (+${result.error.issues.length - 1} more)` : '';
    return { ok: false, problem: `${path}: ${issue.message}${more}` };
  }
  const file: ReferenceFile = hasCases
    ? { kind: 'transitions', ...(result.data as z.infer<typeof transitionsFile>) }
    : { kind: 'episodes', ...(result.data as z.infer<typeof episodesFile>) };
  return { ok: true, file };
}
