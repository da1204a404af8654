/** What the worker accepts: well-formed commands and valid configs only. */
import { describe, expect, it } from 'vitest';
import { defaultConfig } from '../../src/config/parse';
import { toWorkerSchema } from '../../src/workerProtocol';

const start = (patch: Record<string, unknown> = {}) => ({
  type: 'start',
  runId: 1,
  variants: [defaultConfig],
  seeds: 1,
  mode: 'run',
  ...patch,
});

describe('toWorkerSchema', () => {
  it('accepts the commands and a start of one to four configs on one to five seeds', () => {
    for (const type of ['pause', 'resume', 'step', 'stop']) {
      expect(toWorkerSchema.safeParse({ type }).success, type).toBe(true);
    }
    expect(toWorkerSchema.safeParse(start()).success).toBe(true);
    const wide = { ...defaultConfig, model: { ...defaultConfig.model, width: 16 } };
    expect(
      toWorkerSchema.safeParse(start({ variants: [defaultConfig, wide, wide, wide], seeds: 5 }))
        .success,
    ).toBe(true);
  });

  it('takes a prepare with a valid config only', () => {
    expect(toWorkerSchema.safeParse({ type: 'prepare', config: defaultConfig }).success).toBe(true);
    expect(toWorkerSchema.safeParse({ type: 'prepare' }).success).toBe(false);
    expect(
      toWorkerSchema.safeParse({ type: 'prepare', config: { ...defaultConfig, iterations: -1 } })
        .success,
    ).toBe(false);
  });

  it('refuses a start it could not run as asked', () => {
    const cpu = { ...defaultConfig, backend: 'cpu' };
    for (const [why, message] of [
      ['no config', start({ variants: [] })],
      ['five configs', start({ variants: Array(5).fill(defaultConfig) })],
      ['no seeds', start({ seeds: 0 })],
      ['six seeds', start({ seeds: 6 })],
      ['two backends', start({ variants: [defaultConfig, cpu] })],
      ['a bad config', start({ variants: [{ ...defaultConfig, iterations: -1 }] })],
      ['an unknown mode', start({ mode: 'fast' })],
      ['an extra field', start({ extra: 1 })],
      ['an unknown command', { type: 'explode' }],
      ['not an object', 'start'],
    ] as const) {
      expect(toWorkerSchema.safeParse(message).success, why).toBe(false);
    }
  });
});
