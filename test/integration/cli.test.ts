import fs from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { needsTinyModel, tinyChatModel } from '../support/models.js';
import { runCli } from '../support/runCli.js';
import { makeTempDir } from '../support/tempDir.js';
import { zipBomb } from '../support/zipFixtures.js';


const run = runCli;

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
    expect(listed.catalog.map((m) => m.kind).sort()).toEqual(['chat', 'embedding', 'reranker', 'stt', 'tts', 'vad']);
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

  it('ingest, search and docs: summary with reasons, passages with citations, list and remove', () => {
    const home = makeTempDir('cli-home-');
    const env = { ASSISTANT_HOME: home, ASSISTANT_MODELS_DIR: makeTempDir('cli-models-') };
    const docs = makeTempDir('cli-docs-');
    fs.writeFileSync(path.join(docs, 'tides.md'), '# Tides\n\nSpring tides happen when the sun and the moon line up.\n');
    fs.writeFileSync(path.join(docs, 'empty.txt'), '');
    fs.writeFileSync(path.join(docs, 'broken.pdf'), '%PDF-1.7 this is not really a PDF');
    fs.writeFileSync(path.join(docs, 'bomb.docx'), zipBomb('docx'));
    const ingest = run(['ingest', docs, path.join(docs, 'missing.md')], env);
    expect(ingest.code).toBe(1);
    expect(ingest.stdout).toMatch(/ingested {2}tides\.md \(1 passage\)/);
    expect(ingest.stdout).toMatch(/skipped {3}empty\.txt is empty\./);
    expect(ingest.stdout).toMatch(/skipped {3}.*missing\.md does not exist\./);
    expect(ingest.stdout).toMatch(/failed {4}broken\.pdf is damaged or not a valid PDF/);
    expect(ingest.stdout).toMatch(/failed {4}bomb\.docx looks like a zip bomb/);
    expect(ingest.stdout).toMatch(/1 ingested, 2 skipped, 2 failed\./);

    const search = run(['search', 'When do spring tides happen?', '--json', '--k', '3'], env);
    expect(search.code).toBe(0);
    const { hits, mode, reason } = JSON.parse(search.stdout) as { hits: { documentName: string; heading: string | null; text: string }[]; mode: string; reason: string | null };
    expect(hits[0]).toMatchObject({ documentName: 'tides.md', heading: 'Tides' });
    // Hybrid was asked for; without an embedding model it ran on keywords and says so.
    expect({ mode, reason }).toEqual({ mode: 'bm25', reason: 'no embedding model is installed' });
    const text = run(['search', 'moon'], env);
    expect(text.stdout).toMatch(/^\[1\] tides\.md — Tides/);
    expect(text.stderr).toBe('Keyword search only: no embedding model is installed.\n');

    const listed = JSON.parse(run(['docs', 'list', '--json'], env).stdout) as { id: string; name: string; status: string }[];
    expect(listed.map((doc) => [doc.name, doc.status]).sort()).toEqual([
      ['bomb.docx', 'failed'],
      ['broken.pdf', 'failed'],
      ['tides.md', 'ready'],
    ]);
    const tides = listed.find((doc) => doc.name === 'tides.md')!;
    expect(run(['docs', 'remove', tides.id], env)).toMatchObject({ code: 0, stdout: `Removed ${tides.id}.\n` });
    expect(run(['search', 'moon'], env).stdout).toBe('No passage matches.\n');
    expect(run(['docs', 'remove', tides.id], env)).toMatchObject({ code: 1, stderr: expect.stringMatching(/No document with id/) });
  });

  it('prints file names and document text escaped: no forged lines, no terminal escape codes', () => {
    const env = { ASSISTANT_HOME: makeTempDir('cli-home-'), ASSISTANT_MODELS_DIR: makeTempDir('cli-models-') };
    const docs = makeTempDir('cli-docs-');
    const forged = 'notes\n  ingested  fake.pdf (3 pages).md';
    const escapes = 'title\x1b]0;pwned\x07\x1b[2J.md';
    fs.writeFileSync(path.join(docs, forged), '# Forged\n\nQuartz clocks keep time with a crystal.\n');
    fs.writeFileSync(path.join(docs, escapes), '# Escapes\n\nQuartz watches \u202eblink at night.\n');
    fs.writeFileSync(path.join(docs, 'empty\u202egnp.txt'), '');
    const outputs = [run(['ingest', docs], env), run(['docs', 'list'], env), run(['search', 'quartz'], env), run(['search', 'quartz', '--json'], env)];
    for (const { stdout, stderr } of outputs) {
      // eslint-disable-next-line no-control-regex
      expect(stdout + stderr).not.toMatch(/[\x00-\x08\x0b-\x1f\x7f-\x9f\u202e]/);
      expect(stdout).not.toMatch(/^ {2}ingested {2}fake\.pdf/m);
    }
    const [ingest, list, search, json] = outputs;
    expect(ingest!.stdout).toContain('  ingested  notes\\n  ingested  fake.pdf (3 pages).md (1 passage)\n');
    expect(ingest!.stdout).toContain('  ingested  title\\x1b]0;pwned\\x07\\x1b[2J.md (1 passage)\n');
    expect(ingest!.stdout).toContain('  skipped   empty\\u202egnp.txt is empty.\n');
    expect(ingest!.stdout).toMatch(/^2 ingested, 1 skipped, 0 failed\.$/m);
    expect(list!.stdout.trim().split('\n')).toHaveLength(2);
    expect(list!.stdout).toContain('notes\\n  ingested  fake.pdf (3 pages).md');
    // The loaders drop C0 controls from document text; a bidi override stays, and is shown escaped.
    expect(search!.stdout).toContain('Quartz watches \\u202eblink at night.');
    // --json stays JSON, and says exactly what the names are.
    expect((JSON.parse(json!.stdout) as { hits: { documentName: string }[] }).hits.map((hit) => hit.documentName).sort()).toEqual([forged, escapes].sort());
  });
});
