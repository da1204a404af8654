/**
 * Conformance against Gymnasium: replays a parsed reference file (episodes or single transitions)
 * through our envs and counts every compared value as one check. Framework-free and Node-free:
 * it takes parsed JSON, so the CLI, the tests and a browser page can all use it.
 */
import { getEnv, isEnvId } from './index';
import { parseReference, type ReferenceConstants, type ReferenceFile } from './referenceFormat';
import { compareValue, float32UlpDistance } from './tolerance';
import type { EnvDefinition, EnvId, SingleStep } from './types';

/** How many failures a report describes in full; the rest are only counted. */
const DESCRIBED_FAILURES = 5;

export interface ConformanceReport {
  readonly envId: EnvId | null;
  readonly kind: ReferenceFile['kind'] | null;
  readonly checks: number;
  readonly failed: number;
  /** The first failures, each naming the field, the step or case, the expected and the got value. */
  readonly failures: readonly string[];
  /** Why the file could not be checked at all (unreadable, malformed, unknown env), else null. */
  readonly error: string | null;
  /** Float32 values that passed only thanks to the one-ulp allowance. */
  readonly float32OneUlp: number;
  /** The largest relative error among float64 values that were not bit-identical. */
  readonly maxFloat64RelativeError: number;
  /** Episodes chained open-loop from their start through our own steps: a figure, not a check. */
  readonly chainDrift: ChainDrift;
}

/**
 * How far an episode run through our own steps from its initial state, under the recorded
 * actions, ends up from the recorded states. Not a check: the recorded actions drive the system
 * open-loop, so where it is unstable (a balanced pole) an ulp that one libm's trig result differs
 * by from another's grows step after step, in a port that is right at every step.
 */
export interface ChainDrift {
  /** The largest |ours − recorded| over every state value of every step; 0 if bit-identical. */
  readonly largest: number;
  /** Where it was largest, e.g. `episode 0 (seed 100) step 499`; null when there was no drift. */
  readonly where: string | null;
  /** The first step whose chained state is beyond the tolerance; null if none was. */
  readonly pastToleranceFrom: string | null;
}

const NO_DRIFT: ChainDrift = { largest: 0, where: null, pastToleranceFrom: null };

export function passed(report: ConformanceReport): boolean {
  return report.error === null && report.failed === 0 && report.checks > 0;
}

/** A report for a file that could not be checked at all. */
export function unusableFile(problem: string): ConformanceReport {
  return {
    envId: null,
    kind: null,
    checks: 0,
    failed: 0,
    failures: [],
    error: problem,
    float32OneUlp: 0,
    maxFloat64RelativeError: 0,
    chainDrift: NO_DRIFT,
  };
}

/** The chained drift in words, or null for a file without episodes. */
export function describeChainDrift(report: ConformanceReport): string | null {
  if (report.kind !== 'episodes') return null;
  const { largest, where, pastToleranceFrom } = report.chainDrift;
  const chained = 'chained through our own steps from the start, the states';
  if (largest === 0) return `${chained} are the recorded ones`;
  const size = largest.toExponential(1);
  return pastToleranceFrom === null
    ? `${chained} drift up to ${size} from the recorded ones (${where}), within the tolerance`
    : `${chained} drift up to ${size} from the recorded ones (${where}; past the tolerance from ` +
        `${pastToleranceFrom}), a figure, not a failure`;
}

/** One line per file, then the described failures indented below it. */
export function formatReport(fileName: string, report: ConformanceReport): string {
  if (report.error !== null) return `FAIL ${fileName}: ${report.error}`;
  const drift = describeChainDrift(report);
  if (passed(report)) {
    return `PASS ${fileName}: ${report.checks} checks${drift === null ? '' : `; ${drift}`}`;
  }
  const lines = [`FAIL ${fileName}: ${report.failed} of ${report.checks} checks failed`];
  for (const failure of report.failures) lines.push(`  ${failure}`);
  if (report.failed > report.failures.length) {
    lines.push(`  ... and ${report.failed - report.failures.length} more`);
  }
  if (drift !== null) lines.push(`  (${drift})`);
  return lines.join('\n');
}

type Dtype = 'float32' | 'float64';

class CheckLog {
  checks = 0;
  failed = 0;
  float32OneUlp = 0;
  maxFloat64RelativeError = 0;
  chainDrift: ChainDrift = NO_DRIFT;
  readonly failures: string[] = [];

  fail(description: string): void {
    this.checks += 1;
    this.failed += 1;
    if (this.failures.length < DESCRIBED_FAILURES) this.failures.push(description);
  }

  pass(): void {
    this.checks += 1;
  }

  same<T>(where: string, field: string, expected: T, got: T): void {
    if (expected === got) this.pass();
    else this.fail(`${where}: ${field} expected ${String(expected)}, got ${String(got)}`);
  }

  values(
    where: string,
    field: string,
    expected: readonly number[],
    got: readonly number[],
    dtype: Dtype,
  ): void {
    if (expected.length !== got.length) {
      this.fail(`${where}: ${field} expected ${expected.length} values, got ${got.length}`);
      return;
    }
    for (let k = 0; k < expected.length; k++) {
      this.value(where, `${field}[${k}]`, expected[k], got[k], dtype);
    }
  }

  value(where: string, field: string, expected: number, got: number, dtype: Dtype): void {
    const agreement = compareValue(expected, got, dtype);
    if (agreement === 'different') {
      this.fail(
        `${where}: ${field} expected ${expected}, got ${got} (${describeGap(expected, got, dtype)})`,
      );
      return;
    }
    this.pass();
    if (agreement === 'oneUlp') this.float32OneUlp += 1;
    if (agreement === 'close' && dtype === 'float64' && expected !== 0) {
      const relative = Math.abs(got - expected) / Math.abs(expected);
      this.maxFloat64RelativeError = Math.max(this.maxFloat64RelativeError, relative);
    }
  }

  report(envId: EnvId, kind: ReferenceFile['kind']): ConformanceReport {
    return {
      envId,
      kind,
      checks: this.checks,
      failed: this.failed,
      failures: this.failures,
      error: null,
      float32OneUlp: this.float32OneUlp,
      maxFloat64RelativeError: this.maxFloat64RelativeError,
      chainDrift: this.chainDrift,
    };
  }
}

function describeGap(expected: number, got: number, dtype: Dtype): string {
  if (!Number.isFinite(got) || !Number.isFinite(expected)) return dtype;
  if (dtype === 'float32') {
    if (Math.fround(got) !== got) return 'float32 expected, got a value float32 cannot hold';
    return `float32, ${float32UlpDistance(expected, got)} ulp apart`;
  }
  const relative = expected === 0 ? Infinity : Math.abs(got - expected) / Math.abs(expected);
  return `float64, relative error ${relative.toExponential(2)}`;
}

/**
 * Gymnasium settings that the port hard-codes rather than exposes as numeric params; a reference
 * file listing a different value (or a name found nowhere) fails the constants check.
 */
const FIXED_SETTINGS: Readonly<Record<EnvId, Readonly<Record<string, unknown>>>> = {
  'Pendulum-v1': {},
  'MountainCarContinuous-v0': {},
  'CartPole-v1': {
    kinematics_integrator: 'euler',
    _sutton_barto_reward: false,
  },
  'Acrobot-v1': {
    AVAIL_TORQUE: [-1.0, 0.0, 1.0],
    torque_noise_max: 0.0,
    book_or_nips: 'book',
  },
  'MountainCar-v0': {},
};

/** Params Gymnasium derives from others, as our defaults imply them. */
function derivedDefaults(definition: EnvDefinition): Record<string, number> {
  if (definition.spec.id !== 'CartPole-v1') return {};
  const p = definition.spec.defaultParams;
  return { total_mass: p.masspole + p.masscart, polemass_length: p.masspole * p.length };
}

function checkConstants(log: CheckLog, definition: EnvDefinition, constants: ReferenceConstants) {
  const spec = definition.spec;
  const where = 'constants';
  log.same(where, 'max_episode_steps', constants.max_episode_steps, spec.maxEpisodeSteps);
  log.same(where, 'reward_threshold', constants.reward_threshold, spec.rewardThreshold);
  log.values(
    where,
    'observation_space.low',
    constants.observation_space.low,
    [...spec.observationLow],
    'float64',
  );
  log.values(
    where,
    'observation_space.high',
    constants.observation_space.high,
    [...spec.observationHigh],
    'float64',
  );

  const space = constants.action_space;
  const ours = spec.actionSpace;
  if (space.type === 'Box') {
    log.same(where, 'action_space.type', 'box', ours.kind);
    if (ours.kind === 'box') {
      log.values(where, 'action_space.low', space.low, [ours.low], 'float64');
      log.values(where, 'action_space.high', space.high, [ours.high], 'float64');
    }
  } else {
    log.same(where, 'action_space.type', 'discrete', ours.kind);
    if (ours.kind === 'discrete') {
      log.same(where, 'action_space.n', space.n, ours.n);
      log.same(where, 'action_space.start', space.start, 0);
    }
  }

  const fixed = FIXED_SETTINGS[spec.id];
  const derived = derivedDefaults(definition);
  for (const [name, value] of Object.entries(constants.params)) {
    const field = `params.${name}`;
    if (Object.hasOwn(spec.defaultParams, name)) {
      log.same(where, field, value, spec.defaultParams[name]);
    } else if (Object.hasOwn(derived, name)) {
      log.same(where, field, value, derived[name]);
    } else if (Object.hasOwn(fixed, name)) {
      log.same(where, field, JSON.stringify(value), JSON.stringify(fixed[name]));
    } else {
      log.fail(
        `${where}: ${field} = ${JSON.stringify(value)} is a Gymnasium constant the port does not know`,
      );
    }
  }
}

/** A box action is a one-element list; a discrete action a plain integer. */
function actionValue(definition: EnvDefinition, action: number | number[]): number | string {
  const isBox = definition.spec.actionSpace.kind === 'box';
  if (Array.isArray(action) !== isBox) {
    return isBox
      ? 'a box action must be a one-element list'
      : 'a discrete action must be an integer';
  }
  return Array.isArray(action) ? action[0] : action;
}

/** Runs one step; a thrown error (bad state, bad action) becomes a failed check, not a crash. */
function tryStep(
  log: CheckLog,
  where: string,
  definition: EnvDefinition,
  state: readonly number[],
  stateDtype: Dtype,
  action: number | number[],
): SingleStep | null {
  const value = actionValue(definition, action);
  if (typeof value === 'string') {
    log.fail(`${where}: ${value}, got ${JSON.stringify(action)}`);
    return null;
  }
  try {
    return definition.stepFromState(state, value, { stateDtype });
  } catch (error) {
    log.fail(`${where}: step threw: ${error instanceof Error ? error.message : String(error)}`);
    return null;
  }
}

function tryObserve(
  log: CheckLog,
  where: string,
  definition: EnvDefinition,
  state: readonly number[],
) {
  try {
    return definition.observe(state);
  } catch (error) {
    log.fail(`${where}: observe threw: ${error instanceof Error ? error.message : String(error)}`);
    return null;
  }
}

interface ExpectedStep {
  readonly reward: number;
  readonly next_state: number[];
  readonly next_state_dtype: Dtype;
  readonly next_obs: number[];
  readonly terminated: boolean;
}

function checkStep(log: CheckLog, where: string, expected: ExpectedStep, got: SingleStep): void {
  log.same(where, 'next_state_dtype', expected.next_state_dtype, got.nextStateDtype);
  log.values(where, 'next_state', expected.next_state, got.nextState, expected.next_state_dtype);
  log.values(where, 'next_obs', expected.next_obs, got.nextObservation, 'float32');
  log.value(where, 'reward', expected.reward, got.reward, 'float64');
  log.same(where, 'terminated', expected.terminated, got.terminated);
}

function checkTransitions(
  log: CheckLog,
  definition: EnvDefinition,
  file: Extract<ReferenceFile, { kind: 'transitions' }>,
): void {
  for (const transition of file.cases) {
    const where = `case ${transition.index}`;
    const got = tryStep(
      log,
      where,
      definition,
      transition.state,
      transition.state_dtype,
      transition.action,
    );
    if (got !== null) checkStep(log, where, transition, got);
  }
}

/**
 * Each step is replayed from its recorded state, so one difference cannot cascade. The episode is
 * also chained: each recorded state must be where our step from the recorded state before it
 * arrives (the steps are one episode, not pieces of several). The chain restarts from every
 * recorded state, since one that differs from ours only within the tolerance (a libm's ulp) would
 * otherwise be amplified by the recorded actions, run open-loop, wherever the system is unstable,
 * and fail a port that is right at every step. How far such an open-loop run from the start
 * drifts is measured apart, as a figure (ChainDrift). Truncation is the TimeLimit wrapper:
 * elapsed steps reach the limit.
 */
function checkEpisodes(
  log: CheckLog,
  definition: EnvDefinition,
  file: Extract<ReferenceFile, { kind: 'episodes' }>,
): void {
  const maxEpisodeSteps = definition.spec.maxEpisodeSteps;
  const drift = new DriftMeter();
  file.episodes.forEach((episode, episodeIndex) => {
    const label = `episode ${episodeIndex} (seed ${episode.seed})`;
    const initialObservation = tryObserve(log, `${label} reset`, definition, episode.initial_state);
    if (initialObservation !== null) {
      log.values(
        `${label} reset`,
        'initial_obs',
        episode.initial_obs,
        initialObservation,
        'float32',
      );
    }

    let chainState: readonly number[] | null = episode.initial_state;
    let chainDtype: Dtype = episode.initial_state_dtype;
    let openLoop: { state: readonly number[]; dtype: Dtype } | null = {
      state: episode.initial_state,
      dtype: episode.initial_state_dtype,
    };
    episode.steps.forEach((step, stepIndex) => {
      const where = `${label} step ${stepIndex}`;
      if (chainState !== null) {
        log.values(where, 'chained state', step.state, [...chainState], step.state_dtype);
        log.same(where, 'chained state_dtype', step.state_dtype, chainDtype);
      }
      if (openLoop !== null) drift.measure(where, step.state, openLoop.state, step.state_dtype);
      const observation = tryObserve(log, where, definition, step.state);
      if (observation !== null) log.values(where, 'obs', step.obs, observation, 'float32');

      const replayed = tryStep(log, where, definition, step.state, step.state_dtype, step.action);
      if (replayed !== null) checkStep(log, where, step, replayed);
      log.same(where, 'truncated', step.truncated, stepIndex + 1 >= maxEpisodeSteps);

      // The chain goes on from our step from the recorded state: the replay just made.
      chainState = replayed === null ? null : replayed.nextState;
      chainDtype = replayed === null ? chainDtype : replayed.nextStateDtype;
      openLoop = openLoop === null ? null : quietStep(definition, openLoop, step.action);
    });
  });
  log.chainDrift = drift.result();
}

/** A step whose failure is not a check (the open-loop run is a figure): null if it throws. */
function quietStep(
  definition: EnvDefinition,
  from: { readonly state: readonly number[]; readonly dtype: Dtype },
  action: number | number[],
): { state: readonly number[]; dtype: Dtype } | null {
  const value = actionValue(definition, action);
  if (typeof value === 'string') return null;
  try {
    const next = definition.stepFromState(from.state, value, { stateDtype: from.dtype });
    return { state: next.nextState, dtype: next.nextStateDtype };
  } catch {
    return null;
  }
}

/** The open-loop runs' distance from the recorded states, over a file. */
class DriftMeter {
  private largest = 0;
  private where: string | null = null;
  private pastToleranceFrom: string | null = null;

  measure(where: string, recorded: readonly number[], ours: readonly number[], dtype: Dtype): void {
    recorded.forEach((expected, k) => {
      const got = ours[k];
      const distance = Object.is(expected, got) ? 0 : Math.abs(got - expected);
      // A run that left the numbers altogether (NaN, a missing value) is infinitely far.
      const gap = Number.isNaN(distance) ? Infinity : distance;
      if (gap > this.largest) {
        this.largest = gap;
        this.where = where;
      }
      if (
        this.pastToleranceFrom === null &&
        (got === undefined || compareValue(expected, got, dtype) === 'different')
      ) {
        this.pastToleranceFrom = where;
      }
    });
  }

  result(): ChainDrift {
    return {
      largest: this.largest,
      where: this.where,
      pastToleranceFrom: this.pastToleranceFrom,
    };
  }
}

/** Checks one reference file's parsed JSON; never throws. */
export function checkReferenceData(data: unknown, fileName: string): ConformanceReport {
  const parsed = parseReference(data, fileName);
  if (!parsed.ok) return unusableFile(`malformed: ${parsed.problem}`);
  const file = parsed.file;
  if (!isEnvId(file.env)) return unusableFile(`unknown env id "${file.env}"`);
  const definition = getEnv(file.env);
  const log = new CheckLog();
  checkConstants(log, definition, file.constants);
  if (file.kind === 'transitions') checkTransitions(log, definition, file);
  else checkEpisodes(log, definition, file);
  return log.report(file.env, file.kind);
}
