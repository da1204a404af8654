/**
 * The imagination engine's hand-written gradients on WebGPU (SwiftShader) and WebGL in Chromium,
 * against tfjs's tape on the same backend, as the Node suite checks them on WASM and CPU:
 * per tensor, max |difference| ≤ 1e-4 × max |tape gradient|. A few cases of
 * test/imagination/gradientCases.ts (SwiftShader runs them at CPU speed): box and discrete,
 * known and learned reward, CVaR, both ensemble layouts, an error signal and the classifier
 * bonus; and one fit step of a Gaussian model.
 */
import type { BrowserContext, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { IMAGINATION_PAGE_PATH, openModelPage, startModelPageServer, type PageServer } from '../../src/cli/bench/modelPage';
import type { Case } from '../imagination/gradientCases';
import { launchChromium, recordPageErrors } from './harness';

const TOLERANCE = 1e-4;

/**
 * A model fitted briefly and rolled out 6 steps: SwiftShader runs WebGPU and WebGL at a CPU
 * emulation's pace (the Node suite fits 150 steps and imagines 12).
 */
const SMALL = { fitSteps: 15, horizon: 6 } as const;

const ALL: Case[] = [
  { env: 'Pendulum-v1', reward: 'learned', risk: 'mean', activation: 'relu', ...SMALL },
  { env: 'CartPole-v1', reward: 'known', risk: 'mean', rewrite: 'errorHead', ...SMALL },
  { env: 'Pendulum-v1', reward: 'known', risk: 'cvar', activation: 'tanh', width: 96, ...SMALL },
  { env: 'Acrobot-v1', reward: 'known', risk: 'mean', rewrite: 'disagreement', ...SMALL },
  { env: 'Pendulum-v1', reward: 'learned', risk: 'mean', activation: 'relu', rewrite: 'classifier', ...SMALL },
];

/**
 * WebGL runs the same tfjs ops as WebGPU (neither has the engine's own kernels); it checks three
 * cases, one a layout and a reward term: SwiftShader compiles every shader anew, 10–30 s a case.
 */
const CASES = {
  webgpu: ALL,
  webgl: [ALL[0], ALL[2], ALL[4]],
} as const;

describe.each(['webgpu', 'webgl'] as const)('the imagination engine’s gradients on %s', (backend) => {
  let server: PageServer;
  let context: BrowserContext;
  let page: Page;

  beforeAll(async () => {
    server = await startModelPageServer(IMAGINATION_PAGE_PATH);
    context = await launchChromium({ webgpu: backend === 'webgpu' });
    page = await openModelPage(context, server.url, 'imaginationPage');
  });

  afterAll(async () => {
    await context?.close();
    await server?.close();
  });

  it.each(CASES[backend])('$env, $reward reward, $risk, $activation, width $width, rewrite $rewrite: matches the tape', async (testCase) => {
    const errors = recordPageErrors(page);
    const result = await page.evaluate(([name, c]) => window.imaginationPage.policy(name, c), [backend, testCase] as const);
    errors.assertNone();
    expect(result.leaked).toBe(0);
    expect(Math.abs(result.engineLoss - result.tapeLoss)).toBeLessThan(1e-3 * Math.max(1, Math.abs(result.tapeLoss)));
    result.differences.forEach((difference, i) => expect(difference, `variable ${i}`).toBeLessThan(TOLERANCE));
    expect(result.largest).toBeGreaterThan(1e-6);
  });

  it('one fit step’s gradient matches the tape', async () => {
    const result = await page.evaluate((name) => window.imaginationPage.fit(name), backend);
    result.differences.forEach((difference, i) => expect(difference, `variable ${i}`).toBeLessThan(TOLERANCE));
    expect(result.largest).toBeGreaterThan(1e-6);
  });
});

/**
 * The fused WebGPU programs (src/imagination/webgpu/) against the WASM engine on the same world,
 * starts and member draws, in one page: the gradient of every policy variable, the loss, and
 * the rollout the critic learns from, each within 1e-4 of the engine's largest value; three
 * dispatches a step, and no tensor left behind. Box and discrete actions, known and learned
 * reward, CVaR, four member activations, deep and wide members, the error head and disagreement.
 */
const FUSED: Case[] = [
  { env: 'Pendulum-v1', reward: 'known', risk: 'mean', activation: 'elu', ...SMALL },
  { env: 'Pendulum-v1', reward: 'learned', risk: 'mean', activation: 'relu', ...SMALL },
  { env: 'Pendulum-v1', reward: 'known', risk: 'cvar', activation: 'tanh', ...SMALL },
  { env: 'CartPole-v1', reward: 'learned', risk: 'mean', activation: 'elu', ...SMALL },
  { env: 'Acrobot-v1', reward: 'known', risk: 'cvar', activation: 'relu', ...SMALL },
  { env: 'MountainCarContinuous-v0', reward: 'known', risk: 'mean', activation: 'relu', ...SMALL },
  { env: 'Pendulum-v1', reward: 'learned', risk: 'mean', activation: 'elu', depth: 3, width: 32, ...SMALL },
  { env: 'Pendulum-v1', reward: 'known', risk: 'cvar', activation: 'silu', width: 96, ...SMALL },
  // The Error-MDP's rewards: the error head, and the members' disagreement (every member a step).
  { env: 'Pendulum-v1', reward: 'known', risk: 'mean', activation: 'relu', rewrite: 'errorHead', ...SMALL },
  { env: 'CartPole-v1', reward: 'known', risk: 'mean', activation: 'elu', rewrite: 'errorHead', ...SMALL },
  { env: 'Pendulum-v1', reward: 'known', risk: 'mean', activation: 'relu', rewrite: 'disagreement', ...SMALL },
  { env: 'Acrobot-v1', reward: 'known', risk: 'mean', activation: 'elu', rewrite: 'disagreement', ...SMALL },
  { env: 'MountainCarContinuous-v0', reward: 'learned', risk: 'mean', activation: 'relu', depth: 4, width: 32, rewrite: 'disagreement', ...SMALL },
  // The widest case: a 96-wide tanh ensemble's disagreement, whose 1/√v amplifies rounding.
  { env: 'Pendulum-v1', reward: 'known', risk: 'mean', activation: 'tanh', width: 96, rewrite: 'disagreement', ...SMALL },
];

describe('the fused WebGPU path against the WASM engine', () => {
  let server: PageServer;
  let context: BrowserContext;
  let page: Page;

  beforeAll(async () => {
    server = await startModelPageServer(IMAGINATION_PAGE_PATH);
    context = await launchChromium({ webgpu: true });
    page = await openModelPage(context, server.url, 'imaginationPage');
  });

  afterAll(async () => {
    await context?.close();
    await server?.close();
  });

  it.each(FUSED.map((c) => ({ ...c, shape: `${c.depth ?? 2}×${c.width ?? 32}`, reshaped: c.rewrite ?? 'none' })))('$env, $reward reward, $risk, $activation $shape, rewrite $reshaped', async (testCase) => {
    const errors = recordPageErrors(page);
    const result = await page.evaluate((c) => window.imaginationPage.fused(c), testCase);
    errors.assertNone();
    expect(result.dispatches).toBe(3);
    expect(result.leaked).toBe(0);
    expect(Math.abs(result.fusedLoss - result.engineLoss)).toBeLessThan(TOLERANCE * Math.max(1, Math.abs(result.engineLoss)));
    for (const [name, difference] of Object.entries(result.differences)) expect(difference, name).toBeLessThan(TOLERANCE);
    expect(result.largest).toBeGreaterThan(1e-6);
    // The figure docs/BENCHMARKS.md quotes: the largest relative difference of the case.
    console.log(`fused vs WASM engine, ${testCase.env} ${testCase.reward} ${testCase.risk} ${testCase.activation} ${testCase.shape} ${testCase.reshaped}: largest difference ${Math.max(...Object.values(result.differences)).toExponential(1)}`);
  });

  it.each([
    ['relu', false],
    ['tanh', true],
    ['silu', false],
  ] as const)('one fit step’s gradient (%s members, row weights %s) matches the WASM engine in 4 dispatches', async (activation, weighted) => {
    const result = await page.evaluate(([a, w]) => window.imaginationPage.fusedFit(a, w), [activation, weighted] as const);
    expect(result.dispatches).toBe(4);
    expect(result.leaked).toBe(0);
    result.differences.forEach((difference, i) => expect(difference, `variable ${i}`).toBeLessThan(TOLERANCE));
    expect(result.largest).toBeGreaterThan(1e-6);
  });

  it('AdamW’s update is one dispatch and agrees with the formula in float64', async () => {
    const result = await page.evaluate(() => window.imaginationPage.adam());
    expect(result.dispatches).toBe(1);
    result.differences.forEach((difference, i) => expect(difference, ['θ′', 'm′', 'v′'][i]).toBeLessThan(1e-5));
  });
});
