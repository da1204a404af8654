/**
 * The engine's watchdog: silence past the limit presumes the worker dead, once; a word from it
 * lifts that; the limit grows with the longest silence the run came back from; resting stops it.
 */
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { EngineWatchdog, SILENCE_MS } from '../../app/engineWatchdog';

describe('EngineWatchdog', () => {
  let now = 0;
  let calls: string[];
  let watchdog: EngineWatchdog;
  /** Moves the clock the watchdog reads and fires its checks on the way. */
  const advance = (ms: number) => {
    for (let t = 0; t < ms; t += 500) {
      now += 500;
      vi.advanceTimersByTime(500);
    }
  };

  beforeEach(() => {
    vi.useFakeTimers();
    now = 0;
    calls = [];
    watchdog = new EngineWatchdog(
      { silent: (s) => calls.push(`silent ${s}`), heard: () => calls.push('heard') },
      () => now,
    );
  });
  afterEach(() => {
    watchdog.rest();
    vi.useRealTimers();
  });

  it('says nothing while heartbeats come, and presumes death once past the limit', () => {
    watchdog.watch();
    for (let i = 0; i < 120; i++) {
      advance(1_000);
      watchdog.heard();
    }
    expect(calls).toEqual([]);
    advance(SILENCE_MS);
    expect(calls).toEqual([]);
    advance(1_000);
    expect(calls).toEqual([`silent ${SILENCE_MS / 1_000 + 1}`]);
    advance(30_000);
    expect(calls).toHaveLength(1);
    watchdog.heard();
    expect(calls).toEqual([`silent ${SILENCE_MS / 1_000 + 1}`, 'heard']);
  });

  it('waits twice as long as the longest silence the run came back from', () => {
    watchdog.watch();
    advance(50_000);
    watchdog.heard();
    expect(watchdog.limit).toBe(SILENCE_MS + 40_000);
    advance(SILENCE_MS + 30_000);
    expect(calls).toEqual([]);
    advance(11_000);
    expect(calls).toEqual(['silent 101']);
  });

  it('at rest, silence is expected; watching again starts afresh', () => {
    watchdog.watch();
    advance(10_000);
    watchdog.rest();
    advance(5 * SILENCE_MS);
    expect(calls).toEqual([]);
    watchdog.watch();
    expect(watchdog.limit).toBe(SILENCE_MS);
    advance(SILENCE_MS + 1_000);
    expect(calls).toEqual([`silent ${SILENCE_MS / 1_000 + 1}`]);
  });
});
