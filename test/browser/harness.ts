/**
 * The browser-test harness: launch Debian's Chromium headless through playwright-core, open the
 * built app, record console and page errors, and save screenshots to artifacts/.
 *
 *   const context = await launchChromium();           // or launchChromium({ webgpu: true })
 *   const page = await openPage(context);              // the app served by the global setup
 *   const errors = recordPageErrors(page);             // before navigating
 *   await page.goto(appUrl());
 *   ...
 *   await screenshot(page, 'first-screen');            // artifacts/first-screen.png
 *   errors.assertNone();
 *   await context.close();                             // also deletes the throwaway profile
 */
import { mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { chromium, type BrowserContext, type Page } from 'playwright-core';
import { inject } from 'vitest';
import { chromiumExecutablePath } from './chromium';

export { chromiumExecutablePath, INSTALL_CHROMIUM_HINT } from './chromium';

declare module 'vitest' {
  export interface ProvidedContext {
    /** The URL `vite preview` serves dist/ on, with a trailing slash. */
    baseUrl: string;
  }
}

/** Screenshots and other files a person may want to look at after a run; git-ignored. */
export const ARTIFACTS_DIR = resolve(dirname(fileURLToPath(import.meta.url)), '../../artifacts');

/**
 * Without the networking flags Chromium keeps calling home, which floods a closed network;
 * --headless=new is the full browser (WebGPU, WebGL on SwiftShader) rather than the old shell.
 */
export const CHROMIUM_BASE_ARGS: readonly string[] = [
  '--headless=new',
  '--no-sandbox',
  '--disable-quic',
  '--no-first-run',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
];

export interface LaunchOptions {
  /** Adds --enable-unsafe-webgpu: WebGPU on SwiftShader in headless Chromium. */
  readonly webgpu?: boolean;
  /** CSS pixels; 1280×720 unless told. */
  readonly viewport?: { readonly width: number; readonly height: number };
  /** More Chromium flags, e.g. to measure memory (`--js-flags=--expose-gc`). */
  readonly args?: readonly string[];
}

/**
 * A headless Chromium with a fresh throwaway profile. Playwright refuses --user-data-dir in
 * `args`, hence a persistent context on a new temporary directory, removed when it closes.
 */
export async function launchChromium(options: LaunchOptions = {}): Promise<BrowserContext> {
  const executablePath = chromiumExecutablePath();
  const userDataDir = mkdtempSync(join(tmpdir(), 'mismatch-lab-chromium-'));
  const args = [
    ...CHROMIUM_BASE_ARGS,
    ...(options.webgpu === true ? ['--enable-unsafe-webgpu'] : []),
    ...(options.args ?? []),
  ];
  let context: BrowserContext;
  try {
    context = await chromium.launchPersistentContext(userDataDir, {
      executablePath,
      headless: true,
      args,
      viewport: { width: 1280, height: 720, ...options.viewport },
    });
  } catch (error) {
    rmSync(userDataDir, { recursive: true, force: true });
    throw new Error(`Chromium at ${executablePath} did not start: ${String(error)}`, {
      cause: error,
    });
  }
  // The profile can only go once Chromium has exited, which `close()` waits for (its 'close'
  // event comes earlier, while the profile is still being written): remove it right after.
  const closeBrowser = context.close.bind(context);
  context.close = async (options) => {
    await closeBrowser(options);
    await rm(userDataDir, { recursive: true, force: true, maxRetries: 5, retryDelay: 100 });
  };
  return context;
}

/** The built app's URL (from the global setup), with an optional path or hash appended. */
export function appUrl(pathAndHash = ''): string {
  return new URL(pathAndHash, inject('baseUrl')).toString();
}

/** The context's first tab (a persistent context opens with one), or a new one. */
export async function openPage(context: BrowserContext): Promise<Page> {
  return context.pages()[0] ?? (await context.newPage());
}

export interface PageErrorLog {
  /** Console errors and uncaught exceptions, in the order they happened. */
  readonly errors: readonly string[];
  /** Throws, listing them all, if any were recorded. */
  assertNone(): void;
}

/** Records console errors and uncaught page errors from now on; call before `page.goto`. */
export function recordPageErrors(page: Page): PageErrorLog {
  const errors: string[] = [];
  page.on('console', (message) => {
    if (message.type() === 'error') {
      const { url, lineNumber } = message.location();
      errors.push(`console.error: ${message.text()}${url ? ` (${url}:${lineNumber})` : ''}`);
    }
  });
  page.on('pageerror', (error) => errors.push(`uncaught: ${error.stack ?? error.message}`));
  return {
    errors,
    assertNone() {
      if (errors.length > 0) {
        throw new Error(`The page reported ${errors.length} error(s):\n${errors.join('\n')}`);
      }
    },
  };
}

/** Saves a full-page PNG as artifacts/NAME.png and returns its path. */
export async function screenshot(page: Page, name: string): Promise<string> {
  mkdirSync(ARTIFACTS_DIR, { recursive: true });
  const path = join(ARTIFACTS_DIR, `${name}.png`);
  await page.screenshot({ path, fullPage: true });
  return path;
}

/**
 * The engine's worker, not the oracle's (worker.ts starts the oracle's own worker, which the page
 * sees as another): tests that kill, count or watch the engine's worker pick it with this.
 */
export function isEngineWorker(worker: { url(): string }): boolean {
  return !worker.url().includes('oracleWorker');
}

/**
 * A tiny WASM run's link (2 members of 32 units, 32 rollouts of 10 steps, short evaluation):
 * iterations come about a second apart, so a test sees several within its budget.
 */
export function tinyRunLink(iterations: number): string {
  return `#v=2&it=${iterations}&be=wasm&init=100&steps=50&ens=2&width=32&fit=20&mb=64&B=32&H=10&psteps=5&evep=2&evlen=100`;
}

/** The iteration the top bar shows. */
export async function iterationCount(page: Page): Promise<number> {
  return Number(await page.getByTestId('iteration-count').textContent());
}
