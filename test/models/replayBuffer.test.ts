import { describe, expect, it } from 'vitest';
import { ReplayBuffer } from '../../src/data/replayBuffer';
import { createRng } from '../../src/rng';

function filled(count: number, capacity: number, holdoutFraction = 0.2) {
  const buffer = new ReplayBuffer({ capacity, observationDim: 2, actionDim: 1, holdoutFraction, splitSeed: 99 });
  // Transition i is recognisable by its values: observation (i, −i), action i/2, reward 10·i.
  for (let i = 0; i < count; i++) buffer.add([i, -i], i / 2, 10 * i, [i + 1, -i - 1], i % 7 === 0);
  return buffer;
}

describe('ReplayBuffer', () => {
  it('keeps the newest `capacity` transitions, overwriting the oldest', () => {
    const buffer = filled(25, 10);
    expect(buffer.size).toBe(10);
    expect(buffer.totalAdded).toBe(25);
    const rewards = Array.from(buffer.gather(buffer.slots('all')).rewards).sort((a, b) => a - b);
    expect(rewards).toEqual(Array.from({ length: 10 }, (_, k) => 10 * (15 + k)));
  });

  it('gathers rows exactly as added', () => {
    const batch = filled(5, 8).gather([3, 1]);
    expect(Array.from(batch.observations)).toEqual([3, -3, 1, -1]);
    expect(Array.from(batch.nextObservations)).toEqual([4, -4, 2, -2]);
    expect(Array.from(batch.actions)).toEqual([1.5, 0.5]);
    expect(Array.from(batch.rewards)).toEqual([30, 10]);
    expect(Array.from(batch.terminated)).toEqual([0, 0]);
  });

  it('splits train and holdout near the asked fraction, and never moves a transition between them', () => {
    const buffer = filled(5000, 5000, 0.2);
    const holdout = buffer.slots('holdout');
    const train = buffer.slots('train');
    expect(holdout.length + train.length).toBe(5000);
    expect(holdout.length / 5000).toBeGreaterThan(0.18);
    expect(holdout.length / 5000).toBeLessThan(0.22);
    const heldOutRewards = new Set(buffer.gather(holdout).rewards);
    // Adding more (wrapping the ring) keeps each surviving transition on its side.
    const grown = filled(5000, 5000, 0.2);
    for (let i = 0; i < 2000; i++) grown.add([0, 0], 0, -1 - i, [0, 0], false);
    for (const reward of grown.gather(grown.slots('holdout')).rewards) {
      if (reward >= 0) expect(heldOutRewards.has(reward)).toBe(true);
    }
  });

  it('samples from one split only, reproducibly from the seed', () => {
    const buffer = filled(200, 200, 0.3);
    const holdout = new Set(buffer.slots('holdout'));
    const draw = () => Array.from(buffer.sample(createRng(5).fork('minibatch'), 500, 'train'));
    const first = draw();
    expect(first).toEqual(draw());
    expect(first.some((slot) => holdout.has(slot))).toBe(false);
    expect(new Set(first).size).toBeGreaterThan(100);
  });

  it('adds a batch from struct-of-arrays columns, as a BatchedEnv holds them', () => {
    const buffer = new ReplayBuffer({ capacity: 4, observationDim: 2, actionDim: 1 });
    buffer.addBatch([[1, 2], [3, 4]], [0.5, -0.5], [7, 8], [[5, 6], [7, 8]], [0, 1]);
    const batch = buffer.gather([0, 1]);
    expect(Array.from(batch.observations)).toEqual([1, 3, 2, 4]);
    expect(Array.from(batch.nextObservations)).toEqual([5, 7, 6, 8]);
    expect(Array.from(batch.terminated)).toEqual([0, 1]);
  });

  it('rejects bad sizes and empty splits with a message', () => {
    expect(() => new ReplayBuffer({ capacity: 0, observationDim: 2, actionDim: 1 })).toThrow(/capacity/);
    expect(() => filled(3, 3, 0).sample(createRng(1), 2, 'holdout')).toThrow(/holdout split is empty/);
  });
});
