import { spawnSync } from 'node:child_process';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { needsTinyModel, tinyChatModel } from '../support/models.js';
import { makeTempDir } from '../support/tempDir.js';

const root = path.resolve(import.meta.dirname, '../..');
const cli = path.join(root, 'apps/desktop/src/cli/main.ts');

function run(args: string[], env: Record<string, string> = {}) {
  const result = spawnSync(process.execPath, ['--import', 'tsx', cli, ...args], {
    cwd: root,
    encoding: 'utf8',
    timeout: 60_000,
    env: { ...process.env, ASSISTANT_HOME: makeTempDir('cli-home-'), ...env },
  });
  return { code: result.status, stdout: result.stdout, stderr: result.stderr };
}

describe('command line', () => {
  it.skipIf(!tinyChatModel)(`ask --json streams start, text and done events (${needsTinyModel})`, () => {
    const { code, stdout } = run(['ask', '--json', '--model', tinyChatModel!, 'Once upon a time']);
    expect(code).toBe(0);
    const events = stdout.trim().split('\n').map((line) => JSON.parse(line) as { type: string });
    expect(events[0]).toMatchObject({ type: 'start' });
    expect(events.some((event) => event.type === 'text')).toBe(true);
    expect(events.at(-1)).toMatchObject({ type: 'done', stopReason: expect.stringMatching(/eos|maxTokens/) });
  });

  it('ask with a model that does not exist fails with one clear sentence', () => {
    const { code, stderr, stdout } = run(['ask', '--model', '/nope/model.gguf', 'Hi']);
    expect(code).toBe(1);
    expect(stdout).toBe('');
    expect(stderr).toMatch(/Error: No chat model "\/nope\/model.gguf"/);
  });

  it('models list --json shows the folder, installed models and the catalog', () => {
    const modelsDir = makeTempDir('cli-models-');
    const { code, stdout } = run(['models', 'list', '--json'], { ASSISTANT_MODELS_DIR: modelsDir });
    expect(code).toBe(0);
    const listed = JSON.parse(stdout) as { modelsDir: string; installed: unknown[]; catalog: { id: string; kind: string }[] };
    expect(listed.modelsDir).toBe(modelsDir);
    expect(listed.installed).toEqual([]);
    expect(listed.catalog.map((m) => m.kind).sort()).toEqual(['chat', 'embedding', 'stt', 'tts', 'vad']);
  });

  it.skipIf(!tinyChatModel)(`models import copies a local folder in (${needsTinyModel})`, () => {
    const modelsDir = makeTempDir('cli-models-');
    const { code, stdout } = run(['models', 'import', path.dirname(tinyChatModel!)], { ASSISTANT_MODELS_DIR: modelsDir });
    expect(code).toBe(0);
    expect(stdout).toMatch(/stories260k\/stories260K/);
  });

  it('unknown commands and bad options print usage with exit code 2', () => {
    expect(run(['frobnicate'])).toMatchObject({ code: 2, stderr: expect.stringMatching(/Unknown command "frobnicate"[\s\S]*Usage/) });
    expect(run(['serve', '--port', 'abc'])).toMatchObject({ code: 2, stderr: expect.stringMatching(/--port must be a number/) });
  });
});
