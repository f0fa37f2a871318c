import { readFileSync, readdirSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import react from '@vitejs/plugin-react';
import type { Plugin } from 'vite';
import { defineConfig, externalizeDepsPlugin } from 'electron-vite';

/*
 * Invoked from the repository root (`electron-vite build --config apps/desktop/electron.vite.config.ts`).
 * electron-vite takes its root from the working directory (or a `[root]` argument), so every path here
 * is absolute, anchored at this file's folder: the output lands in apps/desktop/out/{main,preload,renderer}
 * whichever folder the command runs from.
 */
// electron-vite bundles this file into a temporary module in the working directory and rewrites only
// `import.meta.url` to this file's URL (not `import.meta.dirname`), so the folder is derived from the URL.
const desktopDir = dirname(fileURLToPath(import.meta.url));
const repoDir = resolve(desktopDir, '..', '..');
const at = (...segments: string[]) => resolve(desktopDir, ...segments);

interface PackageJson {
  name: string;
  dependencies?: Record<string, string>;
}
const readPackage = (dir: string) => JSON.parse(readFileSync(resolve(dir, 'package.json'), 'utf8')) as PackageJson;

/*
 * externalizeDepsPlugin reads the package.json of the working directory (the workspace root, which has no
 * dependencies), so the list is gathered here: the runtime dependencies of this app and of the workspace
 * packages. They stay `import`s resolved from node_modules at run time (native addons such as
 * better-sqlite3 and node-llama-cpp cannot be bundled). The workspace packages themselves (@assistant/*)
 * export TypeScript source, so they are bundled.
 */
const workspacePackages = [desktopDir, ...readdirSync(resolve(repoDir, 'packages')).map((name) => resolve(repoDir, 'packages', name))].map(readPackage);
const workspaceNames = workspacePackages.map((pkg) => pkg.name);
const runtimeDependencies = [...new Set(workspacePackages.flatMap((pkg) => Object.keys(pkg.dependencies ?? {})))].filter(
  (name) => !workspaceNames.includes(name),
);
for (const native of ['better-sqlite3', 'node-llama-cpp', 'hnswlib-node', 'sherpa-onnx-node']) {
  if (!runtimeDependencies.includes(native)) runtimeDependencies.push(native);
}

/**
 * The dev server's React refresh preamble is an inline script, which the page's CSP (script-src 'self')
 * refuses; allow inline scripts in `electron-vite dev` only. Builds keep the strict policy.
 */
const devOnlyInlineScripts: Plugin = {
  name: 'dev-only-inline-scripts',
  apply: 'serve',
  transformIndexHtml: (html) => html.replace("script-src 'self'", "script-src 'self' 'unsafe-inline'"),
};

export default defineConfig({
  main: {
    root: desktopDir,
    plugins: [externalizeDepsPlugin({ include: runtimeDependencies, exclude: workspaceNames })],
    build: {
      outDir: at('out', 'main'),
      emptyOutDir: true,
      sourcemap: true,
      rollupOptions: {
        // All entries are ESM `.js` siblings in out/main: UtilityProcessLauncher forks out/main/<name>Worker.js.
        input: {
          index: at('src', 'main', 'index.ts'),
          inferenceWorker: at('src', 'workers', 'inferenceWorker.ts'),
          ingestWorker: at('src', 'workers', 'ingestWorker.ts'),
          voiceWorker: at('src', 'workers', 'voiceWorker.ts'),
        },
        output: { format: 'es', entryFileNames: '[name].js', chunkFileNames: 'chunks/[name]-[hash].js' },
      },
    },
  },
  preload: {
    root: desktopDir,
    build: {
      outDir: at('out', 'preload'),
      emptyOutDir: true,
      rollupOptions: {
        input: { index: at('src', 'preload', 'index.ts') },
        // A sandboxed preload is a CommonJS script that may only require('electron'): one self-contained file.
        output: { format: 'cjs', entryFileNames: '[name].cjs', inlineDynamicImports: true },
      },
    },
  },
  renderer: {
    root: at('src', 'renderer'),
    plugins: [react(), devOnlyInlineScripts],
    build: {
      outDir: at('out', 'renderer'),
      emptyOutDir: true,
      rollupOptions: {
        input: at('src', 'renderer', 'index.html'),
      },
    },
  },
});
