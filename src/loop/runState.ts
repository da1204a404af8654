/**
 * What a run keeps between iterations and may have to rebuild: its config, the learners and the
 * agent on the backend in use, the objective, and the learners after the last good iteration.
 * Rebuilt after a divergence (fresh optimisers and objective), for a live change (what the
 * changed knobs were read by), and on another backend when the one in use fails mid-run.
 */
import * as tf from '@tensorflow/tfjs';
import { fallBackFrom, isBackendName } from '../backend';
import { unsupportedReason } from '../config/consistency';
import { knobByKey, knobChanges, restartKnobs, type KnobChange } from '../config/knobs';
import { assertWithinMemoryBudget } from '../config/resourceEstimate';
import type { ExperimentConfig } from '../config/schema';
import type { EnvDefinition, PhysicalParams } from '../envs/types';
import { freeAbandonedTape } from '../models/abandonedTape';
import type { NormalizerStats } from '../models/normalizer';
import { VariableCheckpoint } from '../models/variableCheckpoint';
import { createObjective, type LearningObjective } from '../objectives/index';
import type { BackendFallbackEvent, Phase } from '../report';
import { createRng, type Rng } from '../rng';
import { liveConfigView } from '../run/liveConfig';
import type { Agent } from './agents';
import { createAgent, createLearners, type InputMoments, type Learners } from './learners';

export interface RunSetting {
  readonly definition: EnvDefinition;
  readonly realParams: PhysicalParams;
  readonly root: Rng;
  readonly inputMoments: InputMoments;
  /** Called as each phase begins, with the learners (tests plant faults here). */
  readonly beforePhase?: (phase: Phase, learners: Learners) => void;
}

export class RunState {
  // The learners and the agent are rebuilt, on another backend, if theirs fails mid-run.
  protected learners: Learners;
  protected agent: Agent;
  protected objective: LearningObjective;
  /** The config paths the objective read while it was built (it may have copied their values). */
  private objectiveBuiltFrom = new Set<string>();
  /** The backend the learners' tensors live on. */
  private learnersBackend: string;
  /** How many times the learners were rebuilt on another backend (names their fresh RNG streams). */
  private moves = 0;
  /** The phase under way, for an error that is not a divergence (which names its own). */
  protected phaseNow: Phase | null = null;
  /** The learners after the last good iteration (or at the start), for a divergence to go back to. */
  private readonly lastGood: VariableCheckpoint;
  private lastGoodStats: NormalizerStats;

  constructor(
    protected config: ExperimentConfig,
    protected readonly setting: RunSetting,
  ) {
    const { definition, realParams, inputMoments, root } = setting;
    this.learners = createLearners(config, definition, realParams, inputMoments, (name) =>
      root.fork(name),
    );
    this.agent = createAgent(
      this.learners,
      () => this.config,
      (name) => root.fork(name),
    );
    this.learnersBackend = tf.getBackend();
    this.objective = this.createObjective();
    // Read when taken and restored: after a backend move, the learners are new ones.
    this.lastGood = new VariableCheckpoint(() => [
      ...this.learners.model.variables,
      ...this.learners.policy.variables,
      ...this.learners.critic.variables,
    ]);
    this.lastGoodStats = this.learners.model.stats;
  }

  get iterations(): number {
    return this.config.iterations;
  }

  get currentConfig(): ExperimentConfig {
    return this.config;
  }

  get backend(): string {
    return this.learnersBackend;
  }

  async saveLastGood(): Promise<void> {
    await this.lastGood.take();
    this.lastGoodStats = this.learners.model.stats;
  }

  /** Back to the learners after the last good iteration; optimiser moments are forgotten. */
  restoreLastGood(): void {
    this.lastGood.restore();
    this.learners.model.restoreStatistics(this.lastGoodStats);
    this.learners.model.resetOptimizer();
    this.learners.critic.resetOptimizer();
  }

  /** Resumes with `next` (after a divergence): fresh optimiser and objective, the learners kept. */
  rebuild(next: ExperimentConfig): KnobChange[] {
    const changes = this.accept(next, 'a resume');
    this.renewAgent();
    this.renewObjective();
    return changes;
  }

  /**
   * Goes on with `next` (live knobs changed) from the iteration about to start, the learners and
   * their optimisers kept. The optimiser copies its learning rate when built, so a new rate
   * builds it again (fresh Adam moments); the objective reads the config through a live view and
   * is built again only when a knob it read while being built changed.
   */
  applyLive(next: ExperimentConfig): KnobChange[] {
    const previous = this.config;
    const changes = this.accept(next, 'a live change');
    if (next.optimiser.learningRate !== previous.optimiser.learningRate) this.renewAgent();
    if (changes.some((change) => this.objectiveBuiltFrom.has(knobByKey(change.key)?.path ?? '')))
      this.renewObjective();
    return changes;
  }

  /**
   * The backend failed with `message` while running `iteration`: records it in `failed`, switches
   * to the next backend that starts and rebuilds the learners there from the last good iteration.
   * Throws the error, saying so, when no backend is left.
   */
  async fallBack(
    iteration: number,
    message: string,
    failed: Map<string, string>,
    cause: unknown,
  ): Promise<BackendFallbackEvent> {
    freeAbandonedTape();
    const phase = this.phaseNow;
    const from = this.learnersBackend;
    if (tf.getBackend() !== from) {
      // Another run on this thread already left it: go where it went.
      return { ...(await this.follow(iteration)), phase, message };
    }
    failed.set(from, message);
    const next = isBackendName(from)
      ? await fallBackFrom(from, failed)
      : { backend: null, failures: {} };
    if (next.backend === null) {
      const others = Object.entries(next.failures)
        .map(([name, why]) => `${name}: ${why}`)
        .join('; ');
      throw new Error(
        `${message} (the ${from} backend failed mid-run and no other backend could take over${others === '' ? '' : `: ${others}`})`,
        { cause },
      );
    }
    this.moveToCurrentBackend();
    return {
      kind: 'backendFallback',
      iteration,
      phase,
      failed: from,
      backend: next.backend,
      message,
    };
  }

  async follow(iteration: number): Promise<BackendFallbackEvent> {
    const from = this.learnersBackend;
    this.moveToCurrentBackend();
    const message = 'another run on this engine found it failing';
    return {
      kind: 'backendFallback',
      iteration,
      phase: null,
      failed: from,
      backend: tf.getBackend(),
      message,
    };
  }

  dispose(): void {
    this.lastGood.dispose();
    this.objective.dispose?.();
    this.agent.dispose();
    this.learners.model.dispose();
    this.learners.policy.dispose();
    this.learners.critic.dispose();
  }

  /**
   * Rebuilds the learners on the backend in use from the last good iteration (kept in host memory:
   * a failed backend may not give its tensors back). Agent and objective start afresh, as after a
   * divergence.
   */
  private moveToCurrentBackend(): void {
    const { model, policy, critic } = this.learners;
    // Freed if the failed backend still can; what it cannot free is lost with it.
    for (const owner of [model, policy, critic, this.agent, this.objective]) {
      try {
        owner.dispose?.();
      } catch {
        // Nothing to do: the tensors were on the failed backend.
      }
    }
    this.moves++;
    const { definition, realParams, inputMoments, root } = this.setting;
    const rng = (name: string) => root.fork(name).fork(`backend-move-${this.moves}`);
    this.learners = createLearners(this.config, definition, realParams, inputMoments, rng);
    this.agent = createAgent(this.learners, () => this.config, rng);
    this.learnersBackend = tf.getBackend();
    this.lastGood.restore();
    this.learners.model.restoreStatistics(this.lastGoodStats);
    this.objective = this.createObjective();
  }

  /** `next` as the run's config, if only knobs that need no restart changed; the changes. */
  private accept(next: ExperimentConfig, what: string): KnobChange[] {
    const refused = restartKnobs(this.config, next);
    if (refused.length > 0)
      throw new Error(`these settings need a new run, not ${what}: ${refused.join(', ')}`);
    checkSupported(next);
    const changes = knobChanges(this.config, next);
    this.config = next;
    return changes;
  }

  /** A fresh optimiser for the policy network (CEM-MPC keeps its planner). */
  private renewAgent(): void {
    if (this.config.optimiser.kind === 'cem') return;
    this.agent.dispose();
    this.agent = createAgent(
      this.learners,
      () => this.config,
      (name) => this.setting.root.fork(name),
    );
  }

  private renewObjective(): void {
    this.objective.dispose?.();
    this.objective = this.createObjective();
  }

  /** Marks the phase under way and lets a test plant its fault. */
  protected enter(phase: Phase): void {
    this.phaseNow = phase;
    this.setting.beforePhase?.(phase, this.learners);
  }

  private createObjective(): LearningObjective {
    const { mean, scale } = this.setting.inputMoments;
    const builtFrom = new Set<string>();
    let building = true;
    const config = liveConfigView(
      () => this.config,
      (path) => building && builtFrom.add(path),
    );
    try {
      return createObjective({
        config,
        definition: this.setting.definition,
        inputMean: mean,
        inputScale: scale,
        rng: createRng(this.config.seed).fork('objective'),
      });
    } finally {
      building = false;
      this.objectiveBuiltFrom = builtFrom;
    }
  }
}

/** Refuses, up front and by name, what the loop cannot run yet, instead of ignoring a knob. */
export function checkSupported(config: ExperimentConfig): void {
  // Before any tensor: a run too large for the tab would crash it rather than fail.
  assertWithinMemoryBudget(config);
  const unsupported = unsupportedReason(config);
  if (unsupported !== null) throw new Error(unsupported);
}
