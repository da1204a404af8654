// The borders of DESIGN.md, held by the linter so a slip fails `npm run lint`, not a review:
// the engine (src/) knows nothing of React, the DOM or Node; the app never does tensor maths.
import js from '@eslint/js';
import tseslint from 'typescript-eslint';
import reactHooks from 'eslint-plugin-react-hooks';
import globals from 'globals';

const nodeBuiltins = [
  'assert', 'buffer', 'child_process', 'crypto', 'events', 'fs', 'fs/promises', 'http', 'https',
  'net', 'os', 'path', 'perf_hooks', 'process', 'stream', 'url', 'util', 'worker_threads', 'zlib',
];

const noCodeFromStrings = {
  'no-eval': 'error',
  'no-implied-eval': 'error',
  'no-new-func': 'error',
  'no-restricted-syntax': [
    'error',
    { selector: "NewExpression[callee.name='Function']", message: 'No code from strings.' },
  ],
};

export default tseslint.config(
  { ignores: ['dist/**', 'node_modules/**', 'public/**', 'test-results/**', 'artifacts/**'] },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  {
    rules: {
      ...noCodeFromStrings,
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
      '@typescript-eslint/consistent-type-imports': 'error',
    },
  },
  {
    files: ['src/**/*.ts'],
    ignores: ['src/cli/**'],
    languageOptions: { globals: { ...globals.es2023 } },
    rules: {
      'no-restricted-imports': [
        'error',
        {
          paths: [
            ...nodeBuiltins.map((name) => ({ name, message: 'Only src/cli/ may use Node modules.' })),
            { name: 'react', message: 'The engine never imports React.' },
            { name: 'react-dom', message: 'The engine never imports React.' },
            { name: 'zustand', message: 'The engine knows nothing of the UI store.' },
            { name: 'recharts', message: 'The engine draws nothing.' },
          ],
          patterns: [
            { group: ['node:*'], message: 'Only src/cli/ may use Node modules.' },
            { group: ['**/app/**', 'react-dom/*'], message: 'The engine never imports the app.' },
          ],
        },
      ],
      // A synchronous read on WebGPU goes through a canvas context that loses the device in
      // headless Chromium (docs/BENCHMARKS.md, "WebGPU in the worker"), and stalls a real GPU.
      'no-restricted-syntax': [
        ...noCodeFromStrings['no-restricted-syntax'],
        {
          selector: "CallExpression[callee.property.name=/^(dataSync|arraySync|bufferSync)$/]",
          message: 'The engine reads tensors asynchronously (await data()/array()): see docs/BENCHMARKS.md, "WebGPU in the worker".',
        },
      ],
      'no-restricted-globals': [
        'error',
        { name: 'window', message: 'The engine runs in a worker and in Node: no DOM.' },
        { name: 'document', message: 'The engine runs in a worker and in Node: no DOM.' },
        { name: 'localStorage', message: 'The engine keeps no browser state.' },
        { name: 'process', message: 'Only src/cli/ may use Node.' },
        { name: 'require', message: 'ES modules only.' },
      ],
    },
  },
  {
    files: ['src/cli/**/*.ts', 'test/**/*.ts', '*.config.ts', '*.config.js'],
    languageOptions: { globals: { ...globals.node } },
  },
  {
    files: ['app/**/*.{ts,tsx}'],
    languageOptions: { globals: { ...globals.browser } },
    plugins: { 'react-hooks': reactHooks },
    rules: {
      ...reactHooks.configs.recommended.rules,
      'no-restricted-imports': [
        'error',
        {
          patterns: [
            { group: ['@tensorflow/*'], message: 'The app renders reports; tensor maths lives in src/.' },
            { group: ['**/src/cli/**'], message: 'src/cli/ is Node-only.' },
            {
              group: ['**/src/models/**', '**/src/imagination/**', '**/src/policies/**', '**/src/objectives/**', '**/src/metrics/**', '**/src/experiment', '**/src/loop/**', '**/src/backend'],
              allowTypeImports: true,
              message: 'The app talks to the engine through the worker; it only renders reports.',
            },
          ],
        },
      ],
    },
  },
);
