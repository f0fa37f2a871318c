// ESLint flat config. Beyond typescript-eslint's recommended rules and react-hooks for the renderer, it
// enforces the layering of DESIGN.md: which code may use Node, native addons, Electron or the DOM.
import { builtinModules } from 'node:module';
import js from '@eslint/js';
import { defineConfig, globalIgnores } from 'eslint/config';
import reactHooks from 'eslint-plugin-react-hooks';
import tseslint from 'typescript-eslint';

// ---------------------------------------------------------------------------------------------------
// Restricted imports (no-restricted-imports `patterns`, one regex per group so each has its message)
// ---------------------------------------------------------------------------------------------------

/** Every Node built-in, as `node:x` and as the bare name (fs, path, os, child_process, fs/promises, …). */
const bareBuiltins = [...new Set(builtinModules.filter((name) => !name.startsWith('_')).map((name) => name.replace(/^node:/, '')))];
const nodeBuiltins = (where) => ({
  regex: `^(node:.+|(${bareBuiltins.join('|')})(/.*)?)$`,
  message: `${where} must not use Node built-ins: it has to run without Node. Put Node code under src/node/ (or the host) and reach it through the contract.`,
});
const nativeAddons = (where) => ({
  regex: '^(better-sqlite3|node-llama-cpp|@node-llama-cpp/.+|keytar|hnswlib-node|sherpa-onnx-node|sherpa-onnx)(/.*)?$',
  message: `${where} must not load native addons: they belong in src/node/ of a package and run in the host or a worker.`,
});
const electron = (where) => ({
  regex: '^electron(/.*)?$',
  message: `${where} must not import electron: only apps/desktop/src/main and src/preload know Electron, so the same code runs in serve mode, the CLI and tests. Declare what you need structurally (see parentTransport.ts).`,
});
const nodeLayer = {
  regex: '(^|/)node(/|$)',
  message: 'src/common/ must not import from src/node/ or a package\'s "/node" entry: common code is environment-free.',
};
const nodeOnlyEntries = (where) => ({
  regex: '^@assistant/[^/]+/(node|worker|library|[^/]*-worker)(/.*)?$',
  message: `${where} must not import '@assistant/*/node' or a worker entry (e.g. '@assistant/core/inference-worker'): they need Node. Talk to the host through the contract.`,
});
const restrictImports = (...patterns) => ['error', { patterns }];

// ---------------------------------------------------------------------------------------------------
// Restricted globals (and the same names reached through globalThis)
// ---------------------------------------------------------------------------------------------------

const nodeGlobalNames = ['process', 'Buffer', 'require', 'module', 'exports', '__dirname', '__filename', 'global', 'setImmediate', 'clearImmediate'];
const domGlobalNames = ['window', 'self', 'document', 'navigator', 'location', 'localStorage', 'sessionStorage', 'indexedDB', 'HTMLElement', 'Element', 'alert', 'confirm', 'requestAnimationFrame'];
const nodeGlobals = (where) => nodeGlobalNames.map((name) => ({ name, message: `${where} runs without Node: '${name}' is not available there.` }));
const domGlobals = (where) => domGlobalNames.map((name) => ({ name, message: `${where} runs outside the browser too (host, workers, tests): '${name}' is DOM-only.` }));
const viaGlobalThis = (restricted) => ['error', ...restricted.map(({ name, message }) => ({ object: 'globalThis', property: name, message }))];

const common = 'src/common/ (environment-free code)';
const renderer = 'The renderer (untrusted, sandboxed page)';
const shared = 'apps/desktop/src/shared (compiled into main, preload and renderer)';
const preload = 'The sandboxed preload (it can only require electron)';
const electronFree = 'Code outside Electron main/preload';

/** Node-flavoured globals for plain JS files (config, scripts): whatever this Node defines. */
const nodeScriptGlobals = Object.fromEntries(Object.getOwnPropertyNames(globalThis).map((name) => [name, 'readonly']));

export default defineConfig(
  globalIgnores([
    '**/node_modules/',
    '**/out/',
    '**/dist/',
    '**/.tsbuild/',
    '**/release/',
    '**/test-results/',
    '**/playwright-report/',
    '**/.vite/',
    '**/*.tsbuildinfo',
  ]),

  js.configs.recommended,
  tseslint.configs.recommended,
  {
    languageOptions: { ecmaVersion: 'latest', sourceType: 'module' },
    rules: {
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_', caughtErrorsIgnorePattern: '^_' }],
    },
  },
  {
    files: ['**/*.{js,mjs,cjs}'],
    languageOptions: { globals: nodeScriptGlobals },
  },

  // React (the renderer only).
  {
    files: ['apps/desktop/src/renderer/**/*.{ts,tsx}'],
    ...reactHooks.configs.flat.recommended,
  },

  // ----------------------------------------- layering -----------------------------------------------
  // Later blocks replace the options of earlier ones for the same rule, so each block lists everything
  // that applies to its files.

  // Packages never know Electron.
  {
    files: ['packages/**'],
    rules: { 'no-restricted-imports': restrictImports(electron('packages/**')) },
  },
  // Serve mode, the CLI and the worker entries run without Electron.
  {
    files: ['apps/desktop/src/{node,cli,workers}/**'],
    rules: { 'no-restricted-imports': restrictImports(electron(electronFree)) },
  },
  // Environment-free code: no Node, no native addons, no Electron, no DOM.
  {
    files: ['**/src/common/**'],
    rules: {
      'no-restricted-imports': restrictImports(nodeBuiltins(common), nativeAddons(common), electron(common), nodeLayer),
      'no-restricted-globals': ['error', ...domGlobals(common), ...nodeGlobals(common)],
      'no-restricted-properties': viaGlobalThis([...domGlobals(common), ...nodeGlobals(common)]),
    },
  },
  // The renderer and what it shares with main/preload: browser code without Node.
  {
    files: ['apps/desktop/src/renderer/**'],
    rules: {
      'no-restricted-imports': restrictImports(nodeBuiltins(renderer), nativeAddons(renderer), electron(renderer), nodeOnlyEntries(renderer)),
      'no-restricted-globals': ['error', ...nodeGlobals(renderer)],
      'no-restricted-properties': viaGlobalThis(nodeGlobals(renderer)),
    },
  },
  {
    files: ['apps/desktop/src/shared/**'],
    rules: {
      'no-restricted-imports': restrictImports(nodeBuiltins(shared), nativeAddons(shared), electron(shared), nodeOnlyEntries(shared)),
      'no-restricted-globals': ['error', ...nodeGlobals(shared)],
      'no-restricted-properties': viaGlobalThis(nodeGlobals(shared)),
    },
  },
  // The sandboxed preload: electron only.
  {
    files: ['apps/desktop/src/preload/**'],
    rules: { 'no-restricted-imports': restrictImports(nodeBuiltins(preload), nativeAddons(preload), nodeOnlyEntries(preload)) },
  },
);
