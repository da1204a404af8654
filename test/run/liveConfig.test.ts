/**
 * The live view a run's parts are built from (src/run/liveConfig.ts): what a part reads later it
 * reads from the run's current config, and what it read while being built is recorded, so a live
 * change rebuilds the part only when it changed one of those.
 */
import { describe, expect, it } from 'vitest';
import { defaultConfig } from '../../src/config/parse';
import type { ExperimentConfig } from '../../src/config/schema';
import { liveConfigView } from '../../src/run/liveConfig';

/** A part built like the policy-aware objective: one knob copied, one section kept. */
class Part {
  readonly copiedNoise: number;
  private readonly objective: ExperimentConfig['objective'];
  constructor(config: ExperimentConfig) {
    this.copiedNoise = config.data.explorationNoise;
    this.objective = config.objective;
  }
  get share(): number {
    return this.objective.adversaryShare;
  }
}

describe('liveConfigView', () => {
  it('records what is read while building, and reads the current config afterwards', () => {
    let current = defaultConfig;
    const built = new Set<string>();
    let building = true;
    const part = new Part(liveConfigView(() => current, (path) => building && built.add(path)));
    building = false;
    expect([...built]).toEqual(['data.explorationNoise']);

    current = { ...current, objective: { ...current.objective, adversaryShare: 0.9 } };
    expect(part.share).toBe(0.9);
    // A copied knob keeps its value: the run rebuilds the part when it changes.
    current = { ...current, data: { ...current.data, explorationNoise: 1.5 } };
    expect(part.copiedNoise).toBe(defaultConfig.data.explorationNoise);
    // It lists and spreads like the config.
    const view = liveConfigView(() => current, () => undefined);
    expect({ ...view.objective }).toEqual(current.objective);
    expect(JSON.parse(JSON.stringify(view))).toEqual(current);
  });
});
