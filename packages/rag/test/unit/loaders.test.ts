import fs from 'node:fs';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { AssistantError, createMemoryTransportPair, createRpcClient, ErrorCode, ingestContract, type ChunkDraft } from '@assistant/core';
import { chunkDocument } from '../../src/index.js';
import { detectFormat, loadDocument, runIngestWorker, supportedExtensions } from '../../src/node/index.js';
import { createDocxLoader } from '../../src/node/loaders/docxLoader.js';
import { createEpubLoader } from '../../src/node/loaders/epubLoader.js';
import { normalizeProse } from '../../src/node/loaders/normalizeText.js';
import { needsSharedData, sharedDataDir } from '../../../../test/support/sharedData.js';
import { failure } from '../../../../test/support/failure.js';
import { makeTempDir } from '../../../../test/support/tempDir.js';
import { docxParts, epubParts, makeZip } from '../../../../test/support/zipFixtures.js';

const MB = 1024 * 1024;
const maxBytes = 200 * MB;
const tmp = makeTempDir('rag-loaders-');
afterAll(() => fs.rmSync(tmp, { recursive: true, force: true }));

function write(name: string, content: string | Buffer): string {
  const file = path.join(tmp, name);
  fs.writeFileSync(file, content);
  return file;
}


describe('detectFormat', () => {
  it('maps extensions case-insensitively and refuses unknown ones', () => {
    expect(detectFormat('/a/B.PDF')).toBe('pdf');
    expect(detectFormat('x.markdown')).toBe('markdown');
    expect(detectFormat('x.htm')).toBe('html');
    expect(detectFormat('main.rs')).toBe('code');
    expect(detectFormat('notes.txt')).toBe('text');
    expect(detectFormat('photo.JPG')).toBe('image');
    expect(detectFormat('clip.mp4')).toBeNull();
    expect(detectFormat('Makefile')).toBeNull();
    expect(supportedExtensions).toEqual(expect.arrayContaining(['.pdf', '.docx', '.epub', '.html', '.md', '.txt', '.ts', '.py']));
  });
});

describe('loadDocument: generated files', () => {
  it('reads text, markdown headings and code', async () => {
    // (A NUL byte would make it a binary file; NULs are stripped from the text of other formats.)
    expect(normalizeProse('a\u0000b\u00adc\u0007 \t d')).toBe('abc d');
    const text = await loadDocument(write('plain.txt', '\ufeffHello  \t world.\r\n\r\n\r\n\r\nSecond   paragraph.\n'), { maxBytes });
    expect(text).toMatchObject({ format: 'text', pages: null, sections: [{ text: 'Hello world.\n\nSecond paragraph.', heading: null, page: null }] });

    const md = await loadDocument(write('guide.md', '# Guide\n\nIntro.\n\n## Installation\n\nSteps.\n\n### Linux\n\n```sh\n# not a heading\n  indented\n```\n\nSetext\n------\n\nMore.\n'), { maxBytes });
    expect(md.title).toBe('Guide');
    expect(md.sections.map((s) => s.heading)).toEqual(['Guide', 'Guide › Installation', 'Guide › Installation › Linux', 'Guide › Setext']);
    expect(md.sections[2]!.text).toContain('# not a heading\n  indented');

    const code = await loadDocument(write('main.py', 'def f():\n    return 1   \n'), { maxBytes });
    expect(code).toMatchObject({ format: 'code', sections: [{ text: 'def f():\n    return 1', heading: 'main.py' }] });
  });

  it('refuses unsupported, missing, empty, too large and binary files, naming the file', async () => {
    let error = await failure(loadDocument(write('photo.xyz', 'abc'), { maxBytes }));
    expect(error.code).toBe(ErrorCode.DocumentUnsupported);
    expect(error.message).toContain('photo.xyz');

    error = await failure(loadDocument(path.join(tmp, 'missing.pdf'), { maxBytes }));
    expect(error.code).toBe(ErrorCode.DocumentUnreadable);
    expect(error.message).toContain('missing.pdf');

    fs.mkdirSync(path.join(tmp, 'folder.txt'));
    expect((await failure(loadDocument(path.join(tmp, 'folder.txt'), { maxBytes }))).code).toBe(ErrorCode.DocumentUnreadable);

    error = await failure(loadDocument(write('empty.txt', ''), { maxBytes }));
    expect(error).toMatchObject({ code: ErrorCode.DocumentNoText, message: 'empty.txt is empty.' });

    error = await failure(loadDocument(write('blank.md', '  \n\n\t\n'), { maxBytes }));
    expect(error).toMatchObject({ code: ErrorCode.DocumentNoText, message: 'blank.md has no text.' });

    error = await failure(loadDocument(write('big.txt', Buffer.alloc(3 * MB, 'a')), { maxBytes: 2 * MB }));
    expect(error).toMatchObject({ code: ErrorCode.DocumentTooLarge, message: 'big.txt is 3 MB, over the 2 MB limit set in Settings.' });

    const binary = Buffer.alloc(4096);
    for (let i = 0; i < binary.length; i++) binary[i] = (i * 7919) % 256;
    error = await failure(loadDocument(write('data.txt', binary), { maxBytes }));
    expect(error).toMatchObject({ code: ErrorCode.DocumentInvalid, message: 'data.txt is a binary file, not text.' });

    error = await failure(loadDocument(write('fake.docx', 'this is not a zip file at all'), { maxBytes }));
    expect(error.code).toBe(ErrorCode.DocumentInvalid);
    expect(error.message).toMatch(/^fake\.docx is damaged or not a valid Word document/);

    error = await failure(loadDocument(write('fake.pdf', 'not a pdf'), { maxBytes }));
    expect(error.code).toBe(ErrorCode.DocumentInvalid);
    expect(error.message).toMatch(/^fake\.pdf is damaged or not a valid PDF \(.+\)\.$/);
  });

  it('honours an aborted signal', async () => {
    const controller = new AbortController();
    controller.abort();
    const error = await failure(loadDocument(write('fine.txt', 'text'), { maxBytes, signal: controller.signal }));
    expect(error.code).toBe(ErrorCode.Cancelled);
  });

  it('reads a generated DOCX and EPUB (spine order, title)', async () => {
    const docx = await loadDocument(write('gen.docx', makeZip(docxParts('<w:p><w:r><w:t>Generated paragraph.</w:t></w:r></w:p>'))), { maxBytes });
    expect(docx.sections.map((s) => s.text)).toEqual(['Generated paragraph.']);
    const epub = await loadDocument(write('gen.epub', makeZip(epubParts)), { maxBytes });
    expect(epub.title).toBe('Tiny Book');
    expect(epub.sections.map((s) => [s.heading, s.text])).toEqual([
      ['Chapter One', 'Chapter One\n\nFirst words.'],
      ['Chapter Two', 'Chapter Two\n\nSecond words.'],
    ]);
  });

  it('refuses zip bombs before extracting them', async () => {
    // The central directory claims 600 MB for one entry.
    const claimed = makeZip([...docxParts('<w:p/>'), { name: 'word/media/huge.bin', data: Buffer.alloc(1024), claimedSize: 600 * MB }]);
    let error = await failure(loadDocument(write('bomb.docx', claimed), { maxBytes }));
    expect(error.code).toBe(ErrorCode.DocumentInvalid);
    expect(error.message).toMatch(/^bomb\.docx looks like a zip bomb \(expands to 600 MB/);

    const epubBomb = makeZip([...epubParts, { name: 'OEBPS/huge.xhtml', data: Buffer.alloc(1024), claimedSize: 600 * MB }]);
    error = await failure(loadDocument(write('bomb.epub', epubBomb), { maxBytes }));
    expect(error.message).toMatch(/^bomb\.epub looks like a zip bomb \(expands to 600 MB/);

    // A real, highly compressible entry (4 MB of zeros, ~1000:1) against lowered limits.
    const zeros = makeZip([...docxParts('<w:p/>'), { name: 'word/media/zeros.bin', data: Buffer.alloc(4 * MB) }]);
    const file = write('ratio.docx', zeros);
    const loader = createDocxLoader({ ratioMinBytes: 1 * MB, maxRatio: 200 });
    error = await failure(loader({ bytes: fs.readFileSync(file), name: 'ratio.docx', filePath: file }));
    expect(error.message).toMatch(/^ratio\.docx looks like a zip bomb \(expands to 4 MB, \d+:1 compression\)/);
    const epubLoader = createEpubLoader({ maxTotalBytes: 1 * MB });
    const epubFile = write('total.epub', makeZip([...epubParts, { name: 'OEBPS/zeros.bin', data: Buffer.alloc(2 * MB) }]));
    error = await failure(epubLoader({ bytes: fs.readFileSync(epubFile), name: 'total.epub', filePath: epubFile }));
    expect(error.message).toMatch(/^total\.epub looks like a zip bomb/);

    // A directory that under-states the size: inflating finds out, before mammoth sees the file.
    const lying = makeZip([...docxParts('<w:p/>'), { name: 'word/media/liar.bin', data: Buffer.alloc(2 * MB), claimedSize: 1000 }]);
    error = await failure(loadDocument(write('liar.docx', lying), { maxBytes }));
    expect(error.code).toBe(ErrorCode.DocumentInvalid);
    expect(error.message).toContain('liar.docx');
  });
});

describe('runIngestWorker over a memory transport', () => {
  it('streams chunks in ordered batches and returns the summary', async () => {
    const body = Array.from({ length: 40 }, (_, i) => `## Part ${i}\n\n${`Sentence ${i} of the worker test. `.repeat(12)}`).join('\n\n');
    const file = write('worker.md', `# Worker\n\n${body}\n`);
    const [clientSide, serverSide] = createMemoryTransportPair();
    const client = createRpcClient(ingestContract, clientSide);
    const ready = new Promise((resolve) => client.on('worker.ready', resolve));
    runIngestWorker(serverSide);
    await expect(ready).resolves.toEqual({ pid: process.pid });

    const batches: ChunkDraft[][] = [];
    const result = await client.stream('ingest.parse', { path: file, maxBytes, chunkSize: 300, chunkOverlap: 50, batchSize: 7 }, { onItem: (item) => item.chunks && batches.push(item.chunks) });
    const chunks = batches.flat();
    expect(batches.slice(0, -1).every((batch) => batch.length === 7)).toBe(true);
    expect(chunks.map((c) => c.ordinal)).toEqual(chunks.map((_, i) => i));
    expect(result).toMatchObject({ format: 'markdown', title: 'Worker', pages: null, chunks: chunks.length });
    const local = chunkDocument((await loadDocument(file, { maxBytes })).sections, { chunkSize: 300, chunkOverlap: 50 });
    expect(chunks).toEqual(local.chunks);
    expect(result.characters).toBe(local.text.length);

    await expect(client.stream('ingest.parse', { path: path.join(tmp, 'nope.txt'), maxBytes, chunkSize: 300, chunkOverlap: 0 }, { onItem: () => undefined })).rejects.toMatchObject({
      code: ErrorCode.DocumentUnreadable,
    });
  });
});

const dataDir = sharedDataDir();
const docs = dataDir ? path.join(dataDir, 'docs') : '';

/** What each shared file must give: a phrase in the text, or an error code (and message part). */
type Expectation = { phrase?: string | RegExp; title?: string | null; pages?: number | null; code?: ErrorCode; message?: RegExp; mayFail?: boolean };
const expectations: Record<string, Expectation> = {
  'pdf/valid/tracemonkey.pdf': { phrase: 'Trace-based Just-in-Time Type Specialization', pages: 14 },
  'pdf/valid/pdkids.pdf': { phrase: 'The Buried Moon', pages: 55 },
  'pdf/valid/file_pdfjs_test.pdf': { phrase: 'Mozilla automated testing', pages: 5 },
  'pdf/valid/prefilled_f1040.pdf': { phrase: 'Individual Income Tax Return', pages: 2, title: '2010 Form 1040' },
  'pdf/valid/ArabicCIDTrueType.pdf': { phrase: /العربية/, pages: 1 },
  'pdf/valid/vertical.pdf': { phrase: '日本語', pages: 3 },
  'pdf/valid/empty.pdf': { code: ErrorCode.DocumentNoText, message: /^empty\.pdf has no text/ },
  'pdf/valid/scan-bad.pdf': { code: ErrorCode.DocumentNoText, message: /^scan-bad\.pdf has no text layer: it is a scan, and OCR is turned off in Settings\.$/ },
  'pdf/encrypted/issue6010_1.pdf': { code: ErrorCode.DocumentEncrypted, message: /^issue6010_1\.pdf is password-protected/ },
  // Owner password only: pdf.js opens it, but there is no text, and it is protected.
  'pdf/encrypted/empty_protected.pdf': { code: ErrorCode.DocumentEncrypted, message: /^empty_protected\.pdf is password-protected/ },
  'pdf/malformed/helloworld-bad.pdf': { phrase: 'Hello, world!', pages: 1 },
  'pdf/malformed/xref_command_missing.pdf': { phrase: 'Reduced test-case', pages: 1 },
  'pdf/malformed/GHOSTSCRIPT-698804-1-fuzzed.pdf': { mayFail: true },
  'pdf/malformed/poppler-395-0-fuzzed.pdf': { code: ErrorCode.DocumentInvalid, message: /^poppler-395-0-fuzzed\.pdf is damaged or not a valid PDF \(.+\)\.$/ },
  'pdf/malformed/poppler-742-0-fuzzed.pdf': { mayFail: true },
  'docx-mammoth/comments.docx': { phrase: 'Ouch' },
  'docx-mammoth/embedded-style-map.docx': { phrase: 'Walking on imported air' },
  'docx-mammoth/empty.docx': { code: ErrorCode.DocumentNoText, message: /^empty\.docx has no text/ },
  'docx-mammoth/endnotes.docx': { phrase: 'A tachyon walks into a bar.' },
  'docx-mammoth/footnote-hyperlink.docx': { phrase: 'Example' },
  'docx-mammoth/footnotes.docx': { phrase: 'A tachyon walks into a bar.' },
  'docx-mammoth/simple-list.docx': { phrase: 'Apple\n\nBanana' },
  'docx-mammoth/single-paragraph.docx': { phrase: 'Walking on imported air' },
  'docx-mammoth/strict-format.docx': { phrase: 'Test' },
  'docx-mammoth/tables.docx': { phrase: 'Top left | Top right' },
  'docx-mammoth/text-box.docx': { phrase: 'Datum plane' },
  'docx-mammoth/utf8-bom.docx': { phrase: 'This XML has a byte order mark.' },
  'docx-markitdown/test.docx': { phrase: 'AutoGen: Enabling Next-Gen LLM Applications via Multi-Agent Conversation' },
  'docx-markitdown/equations.docx': { phrase: 'The angle is' },
  'epub/alice.epub': { phrase: 'Alice was beginning to get very tired', title: "Alice's Adventures in Wonderland" },
  'epub/alice_without_cover.epub': { phrase: 'Contents', title: "Alice's Adventures in Wonderland" },
  'html/wikipedia-mozilla.html': { phrase: 'Mozilla is a free-software community', title: 'Mozilla - Wikipedia' },
  'html/wikipedia-hermitian-matrix.html': { phrase: 'Hermitian matrix', title: 'Hermitian matrix - Wikipedia' },
  'html/v8-blog-standalone-wasm.html': { phrase: 'Emscripten has always focused first and foremost on compiling to the Web' },
  'markdown/SUMMARY.md': { phrase: 'Getting Started', title: 'The Rust Programming Language' },
  'markdown/appendix-02-operators.md': { phrase: 'Operators and Symbols' },
  'markdown/ch00-00-introduction.md': { phrase: 'Who Rust Is For', title: 'Introduction' },
  'markdown/ch01-01-installation.md': { phrase: 'rustup' },
  'markdown/ch02-00-guessing-game-tutorial.md': { phrase: 'Programming a Guessing Game' },
  'markdown/ch04-01-what-is-ownership.md': { phrase: 'Ownership Rules' },
  'markdown/ch08-01-vectors.md': { phrase: 'Vec<T>' },
  'markdown/ch09-02-recoverable-errors-with-result.md': { phrase: 'Result<T, E>' },
  'text/1342-0.txt': { phrase: 'It is a truth universally acknowledged' },
  'text/1342-h.htm': { phrase: 'is a truth universally acknowledged' },
  'text/LICENSE.txt': { phrase: 'public domain' },
};

describe.skipIf(!dataDir)(`shared documents (${needsSharedData})`, { timeout: 60_000 }, () => {
  const files = dataDir
    ? fs
        .readdirSync(docs, { recursive: true, encoding: 'utf8' })
        .map((relative) => relative.split(path.sep).join('/'))
        .filter((relative) => fs.statSync(path.join(docs, relative)).isFile() && !relative.endsWith('SOURCE.md'))
        .sort()
    : [];

  it('has an expectation for every file', () => {
    expect(files.filter((file) => !(file in expectations))).toEqual([]);
  });

  it.each(files)('%s', async (relative) => {
    const expected = expectations[relative] ?? { mayFail: true };
    const name = path.basename(relative);
    const outcome = await loadDocument(path.join(docs, relative), { maxBytes }).then(
      (document) => ({ document, error: null }),
      (error: unknown) => ({ document: null, error }),
    );
    if (outcome.error) {
      // Whatever happens, only AssistantErrors that name the file.
      expect(outcome.error).toBeInstanceOf(AssistantError);
      const error = outcome.error as AssistantError;
      expect(error.message).toContain(name);
      if (expected.mayFail) return;
      expect(error.code, error.message).toBe(expected.code);
      if (expected.message) expect(error.message).toMatch(expected.message);
      return;
    }
    expect(expected.code, `expected ${expected.code} for ${relative}`).toBeUndefined();
    const document = outcome.document!;
    expect(detectFormat(relative)).toBe(document.format);
    const { text, chunks } = chunkDocument(document.sections, { chunkSize: 1000, chunkOverlap: 150 });
    expect(chunks.length).toBeGreaterThan(0);
    for (const chunk of chunks) expect(text.slice(chunk.start, chunk.end)).toBe(chunk.text);
    expect(text).not.toContain('\u0000');
    if (expected.phrase) {
      const found = typeof expected.phrase === 'string' ? text.includes(expected.phrase) : expected.phrase.test(text);
      expect(found, `${relative} should contain ${String(expected.phrase)}; starts with ${JSON.stringify(text.slice(0, 200))}`).toBe(true);
    }
    if (expected.pages !== undefined) expect(document.pages).toBe(expected.pages);
    if (expected.title !== undefined) expect(document.title).toBe(expected.title);
    if (document.format === 'pdf') {
      expect(document.sections.every((s) => s.page !== null && s.page >= 1 && s.page <= document.pages!)).toBe(true);
    }
  });

  it('tracemonkey.pdf: one section per page, 1-based', async () => {
    const document = await loadDocument(path.join(docs, 'pdf/valid/tracemonkey.pdf'), { maxBytes });
    expect(document.sections.map((s) => s.page)).toEqual(Array.from({ length: 14 }, (_, i) => i + 1));
  });

  it('a PDF load can be cancelled midway', async () => {
    const controller = new AbortController();
    const loading = loadDocument(path.join(docs, 'pdf/valid/pdkids.pdf'), { maxBytes, signal: controller.signal });
    setTimeout(() => controller.abort(), 30);
    const error = await failure(loading);
    expect(error.code).toBe(ErrorCode.Cancelled);
  });

  it('HTML keeps the article, not the navigation', async () => {
    const document = await loadDocument(path.join(docs, 'html/wikipedia-mozilla.html'), { maxBytes });
    const text = document.sections.map((s) => s.text).join('\n\n');
    for (const chrome of ['Jump to content', 'Navigation menu', 'Main page', 'Random article', '[edit]']) {
      expect(text.includes(chrome), `"${chrome}" should not be in the text`).toBe(false);
    }
    expect(document.sections.map((s) => s.heading)).toContain('History');
  });

  it('EPUB chapters come in spine order with the OPF title', async () => {
    const document = await loadDocument(path.join(docs, 'epub/alice.epub'), { maxBytes });
    expect(document.title).toBe("Alice's Adventures in Wonderland");
    const text = document.sections.map((s) => s.text).join('\n\n');
    const order = ['Down The Rabbit-Hole', 'The Pool Of Tears', 'A Caucus-Race', 'The Rabbit Sends In A Little Bill', 'Alice\'s Evidence'].map((phrase) =>
      text.toLowerCase().lastIndexOf(phrase.toLowerCase()),
    );
    expect(order.every((position) => position >= 0)).toBe(true);
    expect([...order].sort((a, b) => a - b)).toEqual(order);
  });

  it('Markdown sections carry heading paths', async () => {
    const document = await loadDocument(path.join(docs, 'markdown/ch01-01-installation.md'), { maxBytes });
    expect(document.sections[0]!.heading).toBe('Installation');
    expect(document.sections.map((s) => s.heading)).toContain('Installation › Installing rustup on Linux or macOS');
  });
});
