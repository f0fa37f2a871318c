#!/usr/bin/env node
// The one test command: static checks, unit and integration tests (vitest), then e2e (Playwright) against
// a fresh build, ending with a single "N passed, N failed, N skipped" line for people and CI alike.
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const results = path.join(root, 'test-results');
fs.mkdirSync(results, { recursive: true });
const bin = (name) => path.join(root, 'node_modules', '.bin', process.platform === 'win32' ? `${name}.cmd` : name);
const totals = { passed: 0, failed: 0, skipped: 0 };
const failures = [];

function step(name, command, args, env = {}) {
  console.log(`\n=== ${name}: ${path.basename(command)} ${args.join(' ')}`);
  const started = Date.now();
  const result = spawnSync(command, args, { cwd: root, stdio: 'inherit', env: { ...process.env, ...env }, shell: process.platform === 'win32' });
  console.log(`=== ${name}: ${result.status === 0 ? 'ok' : `failed (exit ${result.status ?? result.signal})`} in ${((Date.now() - started) / 1000).toFixed(1)} s`);
  if (result.status !== 0) failures.push(name);
  return result.status === 0;
}

/** Playwright's list reporter does not say why a test was skipped; the JSON report does. */
function printSkipReasons(report) {
  const visit = (suite) => {
    for (const spec of suite.specs ?? []) {
      for (const test of spec.tests ?? []) {
        if (test.status !== 'skipped') continue;
        const reason = test.annotations?.find((annotation) => annotation.type === 'skip')?.description ?? 'no reason given';
        console.log(`skipped: ${spec.title} [${test.projectName}]: ${reason}`);
      }
    }
    for (const child of suite.suites ?? []) visit(child);
  };
  for (const suite of report.suites ?? []) visit(suite);
}

/** The Electron binary, when `npm run setup` could fetch it (null offline: the Electron spec then skips). */
function electronBinary() {
  try {
    const binary = createRequire(path.join(root, 'apps/desktop/package.json'))('electron');
    return typeof binary === 'string' && fs.existsSync(binary) ? binary : null;
  } catch {
    return null;
  }
}

function needsVirtualDisplay() {
  if (process.platform !== 'linux' || process.env.DISPLAY || process.env.WAYLAND_DISPLAY || !electronBinary()) return false;
  if (spawnSync('xvfb-run', ['--help'], { stdio: 'ignore' }).error) {
    console.log('The Electron binary is installed but there is no display and no xvfb-run: the Electron spec skips (apt-get install xvfb).');
    return false;
  }
  return true;
}

function readJson(file) {
  try {
    return JSON.parse(fs.readFileSync(file, 'utf8'));
  } catch {
    return null;
  }
}

if (!process.env.ASSISTANT_MODELS_DIR) console.log('ASSISTANT_MODELS_DIR is not set: tests that need a model will be skipped (each names the file it needs).');

step('typecheck', bin('tsc'), ['-b']);
step('lint', bin('eslint'), ['.', '--max-warnings=0']);
const built = step('build', bin('electron-vite'), ['build', '--config', 'apps/desktop/electron.vite.config.ts']);

const vitestJson = path.join(results, 'vitest.json');
fs.rmSync(vitestJson, { force: true });
step('unit + integration', bin('vitest'), ['run', '--reporter=default', '--reporter=json', `--outputFile.json=${vitestJson}`]);
const vitest = readJson(vitestJson);
if (vitest) {
  totals.passed += vitest.numPassedTests;
  totals.failed += vitest.numFailedTests;
  totals.skipped += vitest.numPendingTests + vitest.numTodoTests;
}

if (built) {
  const playwrightJson = path.join(results, 'playwright.json');
  fs.rmSync(playwrightJson, { force: true });
  const args = ['test', '--reporter=list,json'];
  const env = { PLAYWRIGHT_JSON_OUTPUT_FILE: playwrightJson, PLAYWRIGHT_JSON_OUTPUT_NAME: playwrightJson };
  // The Electron spec needs a display: on a headless Linux box with the Electron binary, run under Xvfb.
  if (needsVirtualDisplay()) step('e2e (under xvfb-run)', 'xvfb-run', ['-a', bin('playwright'), ...args], env);
  else step('e2e', bin('playwright'), args, env);
  const playwright = readJson(playwrightJson);
  if (playwright) {
    totals.passed += playwright.stats.expected + playwright.stats.flaky;
    totals.failed += playwright.stats.unexpected;
    totals.skipped += playwright.stats.skipped;
    printSkipReasons(playwright);
  }
} else {
  failures.push('e2e (not run: the build failed)');
}

console.log('');
if (failures.length > 0) console.log(`Failed steps: ${failures.join(', ')}`);
// A failed step that reported no failing test (typecheck, lint, a crashed runner) still counts as a failure.
const failed = totals.failed + (failures.length > 0 && totals.failed === 0 ? failures.length : 0);
console.log(`Total: ${totals.passed} passed, ${failed} failed, ${totals.skipped} skipped`);
process.exit(failed > 0 ? 1 : 0);
