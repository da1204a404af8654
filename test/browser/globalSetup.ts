/**
 * Runs once before the browser tests: checks that Chromium is there (a missing browser is a
 * failure with instructions, never a silent skip) and serves the built app from dist/ with
 * `vite preview` on a free port, handing its URL to the tests as `inject('baseUrl')`.
 */
import { existsSync } from 'node:fs';
import { createServer } from 'node:net';
import { join } from 'node:path';
import { preview } from 'vite';
import type { TestProject } from 'vitest/node';
import { chromiumExecutablePath } from './chromium';

async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const probe = createServer();
    probe.once('error', reject);
    probe.listen(0, '127.0.0.1', () => {
      const address = probe.address();
      probe.close(() => {
        if (address !== null && typeof address === 'object') resolve(address.port);
        else reject(new Error('Could not read the port of a probe server.'));
      });
    });
  });
}

export default async function setup(project: TestProject): Promise<() => Promise<void>> {
  chromiumExecutablePath();
  const root = project.config.root;
  if (!existsSync(join(root, 'dist', 'index.html'))) {
    throw new Error(
      'dist/index.html is missing: run `npm run test:browser`, which builds the app first.',
    );
  }
  const server = await preview({
    root,
    logLevel: 'warn',
    preview: { host: '127.0.0.1', port: await freePort(), strictPort: true, open: false },
  });
  const url = server.resolvedUrls?.local[0];
  if (url === undefined) {
    await server.close();
    throw new Error('vite preview started but reported no local URL.');
  }
  project.provide('baseUrl', url);
  return async () => {
    await server.close();
  };
}
