import fs from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { runCli } from '../support/runCli.js';
import { makeTempDir } from '../support/tempDir.js';

describe('settings command', () => {
  it('sets a value, reads it back, and refuses an invalid one naming the field (exit 2)', () => {
    const home = makeTempDir('cli-settings-');
    expect(runCli(['settings', 'set', 'temperature', '0.2'], { ASSISTANT_HOME: home })).toMatchObject({ code: 0, stdout: 'temperature = 0.2\n' });
    expect(runCli(['settings', 'get', 'temperature', '--json'], { ASSISTANT_HOME: home })).toMatchObject({ code: 0, stdout: '0.2\n' });
    expect(runCli(['settings', 'set', 'useDocuments', 'off'], { ASSISTANT_HOME: home })).toMatchObject({ code: 0, stdout: 'useDocuments = false\n' });

    const refused = runCli(['settings', 'set', 'temperature', '5'], { ASSISTANT_HOME: home });
    expect(refused).toMatchObject({ code: 2, stderr: 'Error: Invalid setting temperature: must be at most 2.\n' });
    expect(runCli(['settings', 'set', 'threads', 'many'], { ASSISTANT_HOME: home })).toMatchObject({ code: 2, stderr: expect.stringMatching(/Invalid setting threads: must be a whole number/) });
    expect(runCli(['settings', 'set', 'nope', '1'], { ASSISTANT_HOME: home })).toMatchObject({ code: 2, stderr: expect.stringMatching(/Unknown setting "nope"/) });

    const all = runCli(['settings', 'get', '--json'], { ASSISTANT_HOME: home });
    expect(JSON.parse(all.stdout)).toMatchObject({ temperature: 0.2, useDocuments: false, maxTokens: 1024 });
    const table = runCli(['settings', 'get'], { ASSISTANT_HOME: home });
    expect(table.stdout).toMatch(/^temperature\s+0\.2$/m);
    expect(table.stdout).toMatch(/^maxTokens\s+1024 {2}\(default\)$/m);
  });

  it('refuses a remote server without its URL, and a model that is not installed, saying why (exit 2)', () => {
    const home = makeTempDir('cli-settings-');
    const env = { ASSISTANT_HOME: home, ASSISTANT_MODELS_DIR: makeTempDir('empty-models-') };
    expect(runCli(['settings', 'set', 'remoteUse', 'chat'], env)).toMatchObject({ code: 2, stderr: expect.stringMatching(/^Error: Invalid setting remoteUse: needs a Server URL first/) });
    expect(runCli(['settings', 'set', 'chatModel', 'qwen'], env)).toMatchObject({ code: 2, stderr: 'Error: Invalid setting chatModel: "qwen" is not an installed chat model (none is installed).\n' });
    const file = path.join(makeTempDir('cli-settings-files-'), 'settings.json');
    fs.writeFileSync(file, JSON.stringify({ remoteUse: 'both', maxTokens: 77 }));
    const imported = runCli(['settings', 'import', file], env);
    expect(imported.code).toBe(2);
    expect(imported.stderr).toMatch(/Refused remoteUse: needs a Server URL first/);
    expect(JSON.parse(runCli(['settings', 'get', '--json'], env).stdout)).toMatchObject({ remoteUse: 'off', maxTokens: 77 });
  });

  it('exports to a file and imports one, naming the refused fields', () => {
    const home = makeTempDir('cli-settings-');
    const dir = makeTempDir('cli-settings-files-');
    const file = path.join(dir, 'settings.json');
    expect(runCli(['settings', 'set', 'maxTokens', '300'], { ASSISTANT_HOME: home }).code).toBe(0);
    expect(runCli(['settings', 'export', file], { ASSISTANT_HOME: home }).code).toBe(0);
    expect(JSON.parse(fs.readFileSync(file, 'utf8'))).toMatchObject({ maxTokens: 300, temperature: 0.7 });

    const other = makeTempDir('cli-settings-');
    fs.writeFileSync(file, JSON.stringify({ maxTokens: 300, temperature: 9, voiceMode: 'handsFree', bogus: 1 }));
    const imported = runCli(['settings', 'import', file], { ASSISTANT_HOME: other });
    expect(imported.code).toBe(2);
    expect(imported.stderr).toContain('Refused temperature: must be at most 2 (it keeps its current value)');
    expect(imported.stderr).toContain('Refused bogus: unknown setting');
    expect(JSON.parse(runCli(['settings', 'get', '--json'], { ASSISTANT_HOME: other }).stdout)).toMatchObject({ maxTokens: 300, temperature: 0.7, voiceMode: 'handsFree' });

    fs.writeFileSync(file, '{"maxTokens": ');
    expect(runCli(['settings', 'import', file], { ASSISTANT_HOME: other })).toMatchObject({ code: 2, stderr: expect.stringMatching(/^Error: The settings file is not valid JSON \(/) });
  });
});
