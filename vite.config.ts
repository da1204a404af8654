import { copyFileSync, existsSync, mkdirSync, readdirSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { defineConfig, type Plugin } from 'vite';
import react from '@vitejs/plugin-react';

const root = dirname(fileURLToPath(import.meta.url));

/** tfjs's WASM backend fetches its .wasm binaries at run time: serve them from public/tfjs-wasm/. */
function copyTfjsWasmBinaries(): Plugin {
  const copy = () => {
    const from = join(root, 'node_modules/@tensorflow/tfjs-backend-wasm/dist');
    const to = join(root, 'public/tfjs-wasm');
    if (!existsSync(from)) return;
    mkdirSync(to, { recursive: true });
    for (const file of readdirSync(from)) {
      if (file.endsWith('.wasm')) copyFileSync(join(from, file), join(to, file));
    }
  };
  return { name: 'copy-tfjs-wasm-binaries', buildStart: copy, configureServer: copy };
}

/**
 * The built site's Content-Security-Policy, as a <meta> tag: a static host may not let us send
 * headers. Nothing but our own files runs, and nothing leaves the origin:
 * - script-src 'self' 'wasm-unsafe-eval': our bundles, and compiling tfjs's WebAssembly; no eval,
 *   no inline script (zod is told not to compile code: src/config/zodWithoutEval.ts);
 * - worker-src 'self': the engine's module worker; connect-src 'self': the .wasm binaries;
 * - img-src 'self' data: blob:: the inline favicon, and charts drawn to PNG through a data: URL;
 * - style-src and font-src 'self': our CSS and KaTeX's fonts (React and KaTeX set element styles
 *   through the CSSOM, which a policy does not restrict);
 * - object-src, base-uri and form-action 'none': no plugins, no rebased links, no form posts.
 * Only the build gets it: the dev server injects an inline React-refresh script and opens a
 * websocket for hot reload. (frame-ancestors cannot be set from a <meta>: it needs a header.)
 *
 * A <meta> policy governs the document only: a worker takes its policy from the HTTP headers of
 * its own script. So `vite preview` also sends the policy as a header on every file, and a host
 * serving dist/ should do the same, or the engine's worker runs unrestricted.
 */
export const CONTENT_SECURITY_POLICY = [
  "default-src 'self'",
  "script-src 'self' 'wasm-unsafe-eval'",
  "worker-src 'self'",
  "connect-src 'self'",
  "img-src 'self' data: blob:",
  "style-src 'self'",
  "font-src 'self'",
  "object-src 'none'",
  "base-uri 'none'",
  "form-action 'none'",
].join('; ');

function contentSecurityPolicy(): Plugin {
  return {
    name: 'content-security-policy',
    apply: 'build',
    transformIndexHtml: () => [
      {
        tag: 'meta',
        attrs: { 'http-equiv': 'Content-Security-Policy', content: CONTENT_SECURITY_POLICY },
        injectTo: 'head-prepend',
      },
    ],
  };
}

export default defineConfig({
  plugins: [react(), copyTfjsWasmBinaries(), contentSecurityPolicy()],
  worker: { format: 'es' },
  preview: { headers: { 'Content-Security-Policy': CONTENT_SECURITY_POLICY } },
  build: {
    target: 'es2022',
    chunkSizeWarningLimit: 4000,
    // Fonts (KaTeX's) stay files of our own origin: a small one inlined as a data: URI would be
    // refused by a Content-Security-Policy whose font-src is 'self'.
    assetsInlineLimit: (file) => (/\.(woff2?|ttf)$/.test(file) ? false : undefined),
  },
});
