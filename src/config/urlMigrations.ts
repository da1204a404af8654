/**
 * Links outlive releases: a link made for URL version k is brought up to the current version by
 * the migrations from k, k+1, ... in turn, each rewriting the decoded key=value pairs before they
 * are read. The day a key is renamed or a value's meaning changes, the schema's `version` goes up
 * and one entry goes here.
 */
import { PRESET_KEY } from './urlKeys';
import { VERSION_ONE_DEFAULT_PAIRS } from './versionOneDefaults';

export interface UrlPair {
  readonly key: string;
  readonly value: string;
}

export interface UrlMigration {
  /** What changed, in words shown to the user in the 'migrated' notice. */
  readonly change: string;
  readonly migrate: (pairs: readonly UrlPair[]) => UrlPair[];
}

/** Keyed by the version a migration upgrades FROM (entry k turns version k into k + 1). */
export type UrlMigrationTable = ReadonlyMap<number, UrlMigration>;

/**
 * 1 → 2: version 2 changed the defaults. A link writes only what differs from its baseline, so a
 * version-1 link with no preset (or preset=default, which is the defaults) meant version 1's
 * value for every changed knob it does not name: those are written out.
 */
const versionOneDefaults: UrlMigration = {
  change: 'the defaults it was made with are written out (the app’s defaults are smaller now)',
  migrate: (pairs) => {
    const preset = pairs.find((pair) => pair.key === PRESET_KEY);
    if (preset !== undefined && preset.value !== 'default') return [...pairs];
    const named = new Set(pairs.map((pair) => pair.key));
    return [...pairs, ...VERSION_ONE_DEFAULT_PAIRS.filter((pair) => !named.has(pair.key))];
  },
};

export const urlMigrations: UrlMigrationTable = new Map([[1, versionOneDefaults]]);

/** The commonest migration: a key renamed, its values unchanged. */
export function renameKey(from: string, to: string): UrlMigration {
  return {
    change: `"${from}" is now called "${to}"`,
    migrate: (pairs) =>
      pairs.map((pair) => (pair.key === from ? { key: to, value: pair.value } : pair)),
  };
}

export type MigrationOutcome =
  | { readonly ok: true; readonly pairs: readonly UrlPair[]; readonly applied: readonly string[] }
  | { readonly ok: false; readonly missingFrom: number };

/** Runs the chain from `from` up to `to`; fails, naming the gap, if a step is missing. */
export function migratePairs(
  pairs: readonly UrlPair[],
  from: number,
  to: number,
  table: UrlMigrationTable,
): MigrationOutcome {
  let current = pairs;
  const applied: string[] = [];
  for (let version = from; version < to; version++) {
    const migration = table.get(version);
    if (migration === undefined) return { ok: false, missingFrom: version };
    current = migration.migrate(current);
    applied.push(migration.change);
  }
  return { ok: true, pairs: current, applied };
}
