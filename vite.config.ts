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

export default defineConfig({
  plugins: [react(), copyTfjsWasmBinaries()],
  worker: { format: 'es' },
  build: {
    target: 'es2022',
    chunkSizeWarningLimit: 4000,
    // Fonts (KaTeX's) stay files of our own origin: a small one inlined as a data: URI would be
    // refused by a Content-Security-Policy whose font-src is 'self'.
    assetsInlineLimit: (file) => (/\.(woff2?|ttf)$/.test(file) ? false : undefined),
  },
});
