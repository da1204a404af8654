/**
 * The world model in Chromium: the same seeded fit + rollout on WebGPU (SwiftShader) and on WASM
 * gives the same numbers to float32 tolerance; WebGL (SwiftShader too) is held to the same. The two backends run different layouts by
 * default (batched 3-D matMuls on WebGPU, per-member fused kernels on WASM), so this also checks
 * the layouts against each other in the browser.
 */
import type { BrowserContext } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openModelPage, startModelPageServer, type PageServer } from '../../src/cli/bench/modelPage';
import { worstRelativeError } from '../models/helpers';
import type { ModelPageRun } from './pages/model';
import { launchChromium, recordPageErrors } from './harness';

async function runOn(context: BrowserContext, url: string, backend: 'wasm' | 'webgpu' | 'webgl'): Promise<ModelPageRun> {
  const page = await openModelPage(context, url);
  const errors = recordPageErrors(page);
  const result = await page.evaluate((name) => window.modelPage.run(name), backend);
  errors.assertNone();
  return result;
}

describe('world model in Chromium', () => {
  let server: PageServer;
  let context: BrowserContext;

  beforeAll(async () => {
    server = await startModelPageServer();
    context = await launchChromium({ webgpu: true });
  });

  afterAll(async () => {
    await context?.close();
    await server?.close();
  });

  it.each(['webgpu', 'webgl'] as const)('%s and WASM give the same losses and rollouts', async (backend) => {
    const wasm = await runOn(context, server.url, 'wasm');
    const other = await runOn(context, server.url, backend);
    expect(wasm.choice.backend).toBe('wasm');
    expect(other.choice.backend).toBe(backend);
    for (const key of ['trainLoss', 'holdoutLoss', 'observations', 'rewards', 'predicted'] as const) {
      expect(wasm[key].length).toBeGreaterThan(0);
      expect(worstRelativeError(other[key], wasm[key], 1e-4, 1e-3), `${key} (${other.layout} vs ${wasm.layout})`).toBeLessThan(1);
    }
    expect(worstRelativeError(other.disagreement, wasm.disagreement, 1e-3, 1e-2)).toBeLessThan(1);
  });
});
