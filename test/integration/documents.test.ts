import fs from 'node:fs';
import path from 'node:path';
import { type DocumentInfo, ErrorCode, uploadSliceBytes } from '@assistant/core';
import type { DocumentService } from '@assistant/rag/library';
import { afterEach, describe, expect, it } from 'vitest';
import { type Harness, send, startHost, waitFor } from '../support/hostHarness.js';
import { needsTinyModel, tinyChatModel } from '../support/models.js';
import { needsSharedData, sharedDataDir } from '../support/sharedData.js';
import { makeTempDir } from '../support/tempDir.js';
import { zipBomb } from '../support/zipFixtures.js';

const data = sharedDataDir();
let harness: Harness | null = null;

afterEach(async () => {
  await harness?.close();
  harness = null;
});

const terminal = new Set(['ready', 'failed', 'cancelled']);

async function settle(h: Harness, timeoutMs = 120_000): Promise<DocumentInfo[]> {
  let documents: DocumentInfo[] = [];
  await waitFor(async () => {
    documents = await h.client.call('documents.list', {});
    return documents.every((doc) => terminal.has(doc.status));
  }, timeoutMs, 'ingestion to settle');
  return documents;
}

function writeDocs(files: Record<string, string | Buffer>): string {
  const dir = makeTempDir('docs-');
  for (const [name, content] of Object.entries(files)) {
    fs.mkdirSync(path.dirname(path.join(dir, name)), { recursive: true });
    fs.writeFileSync(path.join(dir, name), content);
  }
  return dir;
}

const lighthouse = '# Lighthouses\n\nThe Fresnel lens concentrates the lamp into a beam visible for twenty nautical miles.\n\n## Keepers\n\nKeepers trimmed the wicks every four hours through the night.\n';
const bakery = 'Sourdough starter needs feeding with flour and water every day to stay active and sour.\n';

describe('documents (keywords only: no embedding model)', () => {
  it('ingests files and folders, searches them, cites them, and answers with passages when there is no chat model', async () => {
    harness = await startHost({ modelsDir: makeTempDir('no-models-') });
    const dir = writeDocs({ 'light.md': lighthouse, 'notes/bakery.txt': bakery, 'clip.mp4': Buffer.from([0, 0, 0, 0x18, 0x66, 0x74, 0x79, 0x70]) });
    const added = await harness.client.call('documents.add', { paths: [dir] });
    expect(added.queued.map((doc) => doc.name).sort()).toEqual(['bakery.txt', 'light.md']);
    expect(added.skipped.map((skip) => skip.reason)).toEqual(['1 file of unsupported types in the folders were passed over.']);
    const documents = await settle(harness);
    expect(documents.map((doc) => doc.status)).toEqual(['ready', 'ready']);
    expect(documents.every((doc) => doc.embeddedChunks === 0)).toBe(true);

    const hits = (await harness.client.call('documents.search', { query: 'How far is the beam of the lens visible?', k: 3, mode: 'hybrid' })).hits;
    expect(hits[0]).toMatchObject({ documentName: 'light.md', heading: 'Lighthouses', bm25Rank: 1, vectorRank: null });
    expect(hits[0]!.text).toContain('twenty nautical miles');
    const passage = await harness.client.call('documents.passage', { chunkId: hits[0]!.chunkId });
    expect(passage.text).toBe(hits[0]!.text);

    const answer = await send(harness.client, 'How far is the lighthouse beam visible?');
    expect(answer.result.stats.stopReason).toBe('retrievalOnly');
    const sources = answer.items.find((item) => item.type === 'sources');
    expect(sources?.type === 'sources' && sources.citations[0]).toMatchObject({ n: 1, documentName: 'light.md' });
    expect(answer.streamed).toMatch(/No chat model is installed[\s\S]*\[1\] “[^”]*twenty nautical miles/);
    // Citations are stored with the reply, so a reopened conversation still shows them.
    const reopened = await harness.client.call('conversations.get', { id: answer.conversationId });
    expect(reopened.messages[1]!.citations[0]).toMatchObject({ n: 1, documentName: 'light.md' });

    // A greeting shares no keyword with the documents: no sources are forced on it.
    const greeting = await send(harness.client, 'hello there');
    expect(greeting.items.some((item) => item.type === 'sources')).toBe(false);
  });

  it('ingests the same content once, replaces a changed file, and removes everything of a document', async () => {
    harness = await startHost({ modelsDir: makeTempDir('no-models-') });
    const dir = writeDocs({ 'light.md': lighthouse });
    const file = path.join(dir, 'light.md');
    await harness.client.call('documents.add', { paths: [file] });
    const [first] = await settle(harness);
    const again = await harness.client.call('documents.add', { paths: [file] });
    expect(again.queued).toEqual([]);
    expect(again.skipped[0]).toMatchObject({ documentId: first!.id, reason: 'light.md is already in your documents.' });
    const copy = path.join(dir, 'copy.md');
    fs.copyFileSync(file, copy);
    expect((await harness.client.call('documents.add', { paths: [copy] })).skipped[0]!.reason).toBe('copy.md is already in your documents (as light.md).');

    fs.writeFileSync(file, lighthouse.replace('twenty nautical miles', 'thirty-two kilometres'));
    const changed = await harness.client.call('documents.add', { paths: [file] });
    expect(changed.queued).toHaveLength(1);
    const documents = await settle(harness);
    expect(documents).toHaveLength(1);
    expect(documents[0]!.id).not.toBe(first!.id);
    expect((await harness.client.call('documents.search', { query: 'nautical', k: 5, mode: 'bm25' })).hits).toEqual([]);
    expect((await harness.client.call('documents.search', { query: 'kilometres', k: 5, mode: 'bm25' })).hits).toHaveLength(1);

    expect(await harness.client.call('documents.remove', { id: documents[0]!.id })).toEqual({ removed: true });
    expect(await harness.client.call('documents.list', {})).toEqual([]);
    expect((await harness.client.call('documents.search', { query: 'kilometres keepers', k: 5, mode: 'bm25' })).hits).toEqual([]);
    const service = harness.host.documents as unknown as DocumentService;
    expect(service.documents.chunkIds(documents[0]!.id)).toEqual([]);
  });

  it.skipIf(!data)(`gives each bad file its own reason, goes on with the batch, and keeps what was stored (${needsSharedData})`, async () => {
    harness = await startHost({ modelsDir: makeTempDir('no-models-') });
    const good = writeDocs({ 'light.md': lighthouse });
    await harness.client.call('documents.add', { paths: [good] });
    await settle(harness);

    const bad = writeDocs({ 'empty.txt': '', 'binary.txt': Buffer.from([0x7f, 0x45, 0x4c, 0x46, 0, 0, 0, 1, 2, 3, 0, 0, 0xff, 0xfe, 0, 0]), 'fake.docx': 'not a zip at all', 'bakery.txt': bakery, 'big.txt': bakery.repeat(20_000), 'bomb.docx': zipBomb('docx'), 'bomb.epub': zipBomb('epub') });
    // OCR off: the scan then has no text (with OCR it is read: see ocr.test.ts).
    await harness.client.call('settings.update', { maxFileSizeMb: 1, ocr: false });
    const added = await harness.client.call('documents.add', {
      paths: [bad, path.join(data!, 'docs/pdf/encrypted'), path.join(data!, 'docs/pdf/valid/scan-bad.pdf'), path.join(data!, 'docs/pdf/malformed/poppler-395-0-fuzzed.pdf'), '/no/such/file.pdf'],
    });
    const reasons = added.skipped.map((skip) => skip.reason).join('\n');
    expect(reasons).toMatch(/empty\.txt is empty\./);
    expect(reasons).toMatch(/big\.txt is 1\.7 MB, over the 1 MB limit set in Settings\./);
    expect(reasons).toMatch(/\/no\/such\/file\.pdf does not exist\./);
    const documents = await settle(harness);
    const byName = Object.fromEntries(documents.map((doc) => [doc.name, doc]));
    expect(byName['bakery.txt']!.status).toBe('ready');
    expect(byName['light.md']!.status).toBe('ready');
    expect(byName['binary.txt']!.error).toMatchObject({ code: ErrorCode.DocumentInvalid, message: expect.stringMatching(/binary\.txt is a binary file/) });
    expect(byName['fake.docx']!.error?.message).toMatch(/fake\.docx/);
    expect(byName['issue6010_1.pdf']!.error?.message).toMatch(/password-protected/);
    expect(byName['scan-bad.pdf']!.error?.message).toBe('scan-bad.pdf has no text layer: it is a scan, and OCR is turned off in Settings.');
    expect(byName['poppler-395-0-fuzzed.pdf']!.error?.message).toMatch(/poppler-395-0-fuzzed\.pdf is damaged/);
    expect(byName['bomb.docx']!.error?.message).toMatch(/^bomb\.docx looks like a zip bomb/);
    expect(byName['bomb.epub']!.error?.message).toMatch(/^bomb\.epub looks like a zip bomb/);
    expect((await harness.client.call('documents.search', { query: 'nautical miles', k: 5, mode: 'bm25' })).hits).toHaveLength(1);

    // A failed file can be tried again; it fails the same way without touching the others.
    const failed = byName['scan-bad.pdf']!;
    expect(await harness.client.call('documents.reindex', { id: failed.id })).toEqual({ queued: 1 });
    expect((await settle(harness)).find((doc) => doc.id === failed.id)?.status).toBe('failed');
  });
});

/** Sends bytes the way the browser does: slice by slice, in order. */
async function upload(h: Harness, name: string, bytes: Buffer, sliceBytes = uploadSliceBytes) {
  const uploadId = `test-${Math.random().toString(36).slice(2, 12)}`;
  for (let offset = 0; ; offset += sliceBytes) {
    const dataBase64 = bytes.subarray(offset, offset + sliceBytes).toString('base64');
    const { result } = await h.client.call('documents.upload', { uploadId, name, totalBytes: bytes.length, offset, dataBase64 });
    if (result) return result;
  }
}

const uploadedFiles = (home: string) => (fs.existsSync(path.join(home, 'uploads')) ? fs.readdirSync(path.join(home, 'uploads'), { recursive: true, withFileTypes: true }).filter((entry) => entry.isFile()) : []);

describe('uploads (browser mode)', () => {
  it('takes a file of any size in slices, replaces a changed file of the same name, and deletes the copy on remove', async () => {
    harness = await startHost({ modelsDir: makeTempDir('no-models-') });
    // Larger than one WebSocket message may be (4 MiB), so it needs three slices.
    const big = Buffer.from(`# Atlas\n\n${'Cartographers drew coastlines by hand. '.repeat(150_000)}\n\nThe last page names the Zanzibar meridian.\n`);
    expect(big.length).toBeGreaterThan(2 * uploadSliceBytes);
    const first = await upload(harness, 'maps/atlas.md', big);
    expect(first.queued.map((doc) => doc.name)).toEqual(['atlas.md']);
    let [document] = await settle(harness);
    expect(document).toMatchObject({ status: 'ready', sizeBytes: big.length });
    expect((await harness.client.call('documents.search', { query: 'Zanzibar meridian', k: 1, mode: 'bm25' })).hits).toHaveLength(1);
    expect(uploadedFiles(harness.home)).toHaveLength(1);

    // The same name with other bytes is a changed file: it replaces the old version.
    await upload(harness, 'maps/atlas.md', Buffer.from('# Atlas\n\nThe second edition names the Greenwich meridian.\n'));
    const documents = await settle(harness);
    expect(documents).toHaveLength(1);
    document = documents[0]!;
    expect((await harness.client.call('documents.search', { query: 'Zanzibar', k: 1, mode: 'bm25' })).hits).toEqual([]);
    expect((await harness.client.call('documents.search', { query: 'Greenwich', k: 1, mode: 'bm25' })).hits).toHaveLength(1);

    // The same bytes under another name are a duplicate: skipped, and no second copy is kept.
    const duplicate = await upload(harness, 'copy.md', Buffer.from('# Atlas\n\nThe second edition names the Greenwich meridian.\n'));
    expect(duplicate.skipped[0]!.reason).toBe('copy.md is already in your documents (as atlas.md).');
    expect(uploadedFiles(harness.home)).toHaveLength(1);

    await harness.client.call('documents.remove', { id: document.id });
    await waitFor(() => uploadedFiles(harness!.home).length === 0, 5_000, 'the uploaded copy to be deleted');
  });

  it('refuses a file over the size limit at the first slice, and slices that do not continue the upload', async () => {
    harness = await startHost({ modelsDir: makeTempDir('no-models-') });
    await harness.client.call('settings.update', { maxFileSizeMb: 1 });
    const refused = await harness.client.call('documents.upload', { uploadId: 'too-big-0001', name: 'huge.txt', totalBytes: 3 * 1024 * 1024, offset: 0, dataBase64: '' });
    expect(refused).toEqual({ receivedBytes: 0, result: { queued: [], skipped: [{ path: 'huge.txt', reason: 'huge.txt is 3 MB, over the 1 MB limit set in Settings.', documentId: null }] } });

    const start = await harness.client.call('documents.upload', { uploadId: 'gap-000001', name: 'notes.txt', totalBytes: 10, offset: 0, dataBase64: Buffer.from('hello').toString('base64') });
    expect(start).toEqual({ receivedBytes: 5, result: null });
    await expect(harness.client.call('documents.upload', { uploadId: 'gap-000001', name: 'notes.txt', totalBytes: 10, offset: 7, dataBase64: Buffer.from('abc').toString('base64') })).rejects.toMatchObject({
      code: ErrorCode.InvalidInput,
      message: expect.stringMatching(/^offset: /),
    });
    // The broken upload was dropped: nothing half-written is kept or listed.
    expect(await harness.client.call('documents.list', {})).toEqual([]);
    expect(fs.readdirSync(path.join(harness.home, 'uploads', '.partial'))).toEqual([]);
  });
});

describe.skipIf(!tinyChatModel)(`documents with the embedding model (${needsTinyModel})`, () => {
  it('embeds passages, fuses keyword and vector ranks, and grounds chat answers in cited sources', async () => {
    harness = await startHost();
    await harness.client.call('settings.update', { embeddingModel: tinyChatModel! });
    await harness.host.refreshModels();
    const dir = writeDocs({ 'light.md': lighthouse, 'bakery.txt': bakery });
    await harness.client.call('documents.add', { paths: [dir] });
    const documents = await settle(harness);
    expect(documents.every((doc) => doc.status === 'ready' && doc.embeddedChunks === doc.chunks && doc.chunks > 0)).toBe(true);
    expect((await harness.client.call('app.getState', {})).documents).toMatchObject({ ready: 2, indexing: 0, embeddingModel: 'stories260K' });

    const hybrid = (await harness.client.call('documents.search', { query: 'sourdough flour', k: 2, mode: 'hybrid' })).hits;
    expect(hybrid[0]).toMatchObject({ documentName: 'bakery.txt', bm25Rank: 1 });
    expect(hybrid[0]!.vectorRank).not.toBeNull();
    // The index agrees with the exact scan on this tiny collection.
    const vector = (await harness.client.call('documents.search', { query: 'sourdough flour', k: 3, mode: 'vector' })).hits;
    const exact = (await harness.client.call('documents.search', { query: 'sourdough flour', k: 3, mode: 'exact' })).hits;
    expect(vector.map((hit) => hit.chunkId)).toEqual(exact.map((hit) => hit.chunkId));

    const answer = await send(harness.client, 'How often do you feed sourdough starter?');
    expect(['eos', 'maxTokens']).toContain(answer.result.stats.stopReason);
    const sources = answer.items.find((item) => item.type === 'sources');
    expect(sources?.type === 'sources' && sources.citations.map((c) => c.documentName)).toContain('bakery.txt');
    expect(answer.result.message.citations.length).toBeGreaterThan(0);
  });

  it('gives documents added before the embedding model their vectors once one is chosen', async () => {
    harness = await startHost();
    await harness.client.call('documents.add', { paths: [writeDocs({ 'light.md': lighthouse, 'bakery.txt': bakery })] });
    const before = await settle(harness);
    expect(before.every((doc) => doc.status === 'ready' && doc.embeddedChunks === 0)).toBe(true);

    await harness.client.call('settings.update', { embeddingModel: tinyChatModel! });
    await waitFor(async () => (await harness!.client.call('documents.list', {})).every((doc) => doc.embeddedChunks === doc.chunks), 60_000, 'the older documents to be embedded');
    const after = await harness.client.call('documents.list', {});
    // Same documents, still ready throughout: only their vectors were added.
    expect(after.map((doc) => [doc.id, doc.status])).toEqual(before.map((doc) => [doc.id, 'ready']));
    const vector = (await harness.client.call('documents.search', { query: 'sourdough flour', k: 3, mode: 'vector' })).hits;
    const exact = (await harness.client.call('documents.search', { query: 'sourdough flour', k: 3, mode: 'exact' })).hits;
    expect(vector.length).toBe(after.reduce((sum, doc) => sum + doc.chunks, 0));
    expect(vector.map((hit) => hit.chunkId)).toEqual(exact.map((hit) => hit.chunkId));
  });

  it('survives a kill -9 of the ingest worker mid-parse: the worker restarts and the document is ingested', async () => {
    harness = await startHost();
    const service = harness.host.documents as unknown as DocumentService;
    // Many small files keep the parser busy long enough to kill it while it works.
    const files: Record<string, string> = {};
    for (let i = 0; i < 40; i++) files[`part-${String(i).padStart(2, '0')}.md`] = `# Part ${i}\n\n${bakery.repeat(20)} Token${i}.\n`;
    const dir = writeDocs(files);
    let killed = false;
    const subscription = harness.client.on('documents.changed', ({ document }) => {
      if (!killed && document?.status === 'parsing' && service.ingestPid) {
        killed = true;
        process.kill(service.ingestPid, 'SIGKILL');
      }
    });
    await harness.client.call('documents.add', { paths: [dir] });
    const documents = await settle(harness);
    subscription.dispose();
    expect(killed).toBe(true);
    expect(documents.filter((doc) => doc.status === 'ready')).toHaveLength(40);
    expect((await harness.client.call('app.getState', {})).documents.ingest.restarts).toBeGreaterThanOrEqual(1);
    expect((await harness.client.call('documents.search', { query: 'Token7', k: 1, mode: 'bm25' })).hits).toHaveLength(1);
  });
});
