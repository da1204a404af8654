/**
 * Node-side driver of the world-model browser page (test/browser/pages/model.html): a vite dev
 * server for the page (it is not part of the built app), and a headless Chromium opened on it
 * with a given tfjs backend in mind. Used by the browser test and by `bench -- model --browser`.
 */
import { mkdtempSync } from 'node:fs';
import { rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { chromium, type BrowserContext, type Page } from 'playwright-core';
import { createServer, type ViteDevServer } from 'vite';

const repositoryRoot = resolve(dirname(fileURLToPath(import.meta.url)), '../../..');

export const MODEL_PAGE_PATH = 'test/browser/pages/model.html';
/** The imagination engine's gradient checks (test/browser/imagination.browser.test.ts). */
export const IMAGINATION_PAGE_PATH = 'test/browser/pages/imagination.html';

export interface PageServer {
  /** The page's URL. */
  readonly url: string;
  close(): Promise<void>;
}

/** Serves the repository with vite's dev server (so the page's TypeScript is transformed). */
export async function startModelPageServer(pagePath = MODEL_PAGE_PATH): Promise<PageServer> {
  const server: ViteDevServer = await createServer({
    root: repositoryRoot,
    logLevel: 'warn',
    // No file watching: an edit elsewhere in the repository would reload the page mid-run.
    server: { host: '127.0.0.1', port: 0, strictPort: false, hmr: false, watch: null },
    // Pre-bundle tfjs up front: discovering it on first load makes vite reload the page.
    optimizeDeps: {
      entries: [pagePath],
      include: [
        '@tensorflow/tfjs',
        '@tensorflow/tfjs-backend-wasm',
        '@tensorflow/tfjs-backend-webgpu',
      ],
    },
  });
  await server.listen();
  const base = server.resolvedUrls?.local[0];
  if (base === undefined) {
    await server.close();
    throw new Error('vite dev server started but reported no local URL');
  }
  return { url: new URL(pagePath, base).toString(), close: () => server.close() };
}

/** Opens the page and waits until it has installed `window[global]` (`modelPage` by default). */
export async function openModelPage(
  context: BrowserContext,
  url: string,
  global = 'modelPage',
): Promise<Page> {
  const page = context.pages()[0] ?? (await context.newPage());
  await page.goto(url);
  await page.waitForFunction(
    (name) =>
      (window as unknown as Record<string, { ready?: boolean } | undefined>)[name]?.ready === true,
    global,
    {
      timeout: 120_000,
    },
  );
  return page;
}

/**
 * A minimal headless Chromium for the benchmark CLI (the tests use test/browser/harness.ts):
 * DESIGN.md's flags, a throwaway profile, WebGPU on SwiftShader when asked.
 */
export async function launchBenchChromium(webgpu: boolean): Promise<BrowserContext> {
  const profile = mkdtempSync(join(tmpdir(), 'mismatch-lab-bench-'));
  const executablePath = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';
  const args = [
    '--headless=new',
    '--no-sandbox',
    '--disable-quic',
    '--no-first-run',
    '--disable-background-networking',
    '--disable-component-update',
    '--disable-sync',
    ...(webgpu ? ['--enable-unsafe-webgpu'] : []),
  ];
  const context = await chromium.launchPersistentContext(profile, {
    executablePath,
    headless: true,
    args,
  });
  const close = context.close.bind(context);
  context.close = async (options) => {
    await close(options);
    await rm(profile, { recursive: true, force: true, maxRetries: 5, retryDelay: 100 });
  };
  return context;
}

/** The app's page at 1280 × 720 in a fresh bench Chromium, and the browser's version. */
export async function openAppPage(
  webgpu: boolean,
): Promise<{ context: BrowserContext; page: Page; version: string | null }> {
  const context = await launchBenchChromium(webgpu);
  const page = context.pages()[0] ?? (await context.newPage());
  await page.setViewportSize({ width: 1280, height: 720 });
  return { context, page, version: context.browser()?.version() ?? null };
}
