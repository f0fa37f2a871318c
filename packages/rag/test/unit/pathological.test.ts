// Files under the size limit built to exhaust a parser: each is refused early with its own reason, never
// called damaged; and text streams through the same chunks the one-shot path makes.
import fs from 'node:fs';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { type ChunkDraft, createMemoryTransportPair, createRpcClient, ErrorCode, ingestContract } from '@assistant/core';
import { chunkDocument, DocumentChunker, type ExtractedSection } from '../../src/index.js';
import { loadDocument, runIngestWorker } from '../../src/node/index.js';
import { MAX_BLANK_RUN, normalizeCode, normalizeProse, TextNormalizer } from '../../src/node/loaders/normalizeText.js';
import { needsSharedData, sharedDataDir } from '../../../../test/support/sharedData.js';
import { makeTempDir } from '../../../../test/support/tempDir.js';

const MB = 1024 * 1024;
const tmp = makeTempDir('rag-pathological-');
afterAll(() => fs.rmSync(tmp, { recursive: true, force: true }));

function write(name: string, content: string | Buffer): string {
  const file = path.join(tmp, name);
  fs.writeFileSync(file, content);
  return file;
}

/** A seeded generator, so a failure can be replayed. */
function random(seed: number) {
  let state = seed;
  return () => (state = (state * 1103515245 + 12345) % 2147483648) / 2147483648;
}
const alphabet = ['a', 'word', 'Bee', ' ', ' ', '\n', '\n\n', '.', '. ', '!', '"', '\r', '\r\n', '\t', '\u0001', '\u00a0', '\u3000', '\u2028', 'é', '😀', '?', ' \n ', '\ufeff', '\u0085'];
const text = (next: () => number, tokens: number) => Array.from({ length: tokens }, () => alphabet[Math.floor(next() * alphabet.length)]).join('');
/** `whole` cut into random pieces of 1 to `max` characters. */
function pieces(next: () => number, whole: string, max: number): string[] {
  const out: string[] = [];
  for (let at = 0; at < whole.length; ) {
    const size = 1 + Math.floor(next() * max);
    out.push(whole.slice(at, at + size));
    at += size;
  }
  return out;
}

/** A worker over a memory transport, as the host drives it. */
async function worker() {
  const [clientSide, serverSide] = createMemoryTransportPair();
  const client = createRpcClient(ingestContract, clientSide);
  const ready = new Promise((resolve) => client.on('worker.ready', resolve));
  runIngestWorker(serverSide);
  await ready;
  return {
    async parse(file: string, options: { chunkSize?: number; chunkOverlap?: number } = {}) {
      const chunks: ChunkDraft[] = [];
      const result = await client.stream('ingest.parse', { path: file, maxBytes: 200 * MB, chunkSize: options.chunkSize ?? 1000, chunkOverlap: options.chunkOverlap ?? 100, batchSize: 64 }, { onItem: (item) => chunks.push(...(item.chunks ?? [])) });
      return { result, chunks };
    },
  };
}

describe('streaming text', () => {
  it('TextNormalizer gives exactly normalizeProse / normalizeCode of the whole text, however it is cut', () => {
    const next = random(7);
    for (let round = 0; round < 400; round++) {
      const whole = text(next, Math.floor(next() * 300));
      for (const [kind, once] of [['prose', normalizeProse], ['code', normalizeCode]] as const) {
        const normalizer = new TextNormalizer(kind);
        const streamed = pieces(next, whole, 1 + Math.floor(next() * 40)).map((piece) => normalizer.push(piece)).join('');
        normalizer.end();
        expect(streamed, JSON.stringify(whole)).toBe(once(whole));
      }
    }
  });

  it('TextNormalizer holds back long whitespace runs shortened, and still gives exactly the one-shot text', () => {
    const next = random(5);
    const long = [' '.repeat(MAX_BLANK_RUN + 5000), '\t\u3000'.repeat(5000), '\n \n'.repeat(3000), ' \n\r'.repeat(4000), `\n${' '.repeat(9000)}`];
    for (let round = 0; round < 40; round++) {
      const whole = Array.from({ length: 12 }, () => (next() < 0.3 ? long[Math.floor(next() * long.length)] : text(next, 8))).join('');
      for (const [kind, once] of [['prose', normalizeProse], ['code', normalizeCode]] as const) {
        const normalizer = new TextNormalizer(kind);
        const streamed = pieces(next, whole, 1 + Math.floor(next() * 3000)).map((piece) => normalizer.push(piece)).join('');
        const expected = once(whole);
        expect(streamed).toBe(expected);
        if (kind === 'code') expect(expected).not.toMatch(new RegExp(`[^\\S\\n]{${MAX_BLANK_RUN + 1}}`));
      }
    }
  });

  it('DocumentChunker fed in pieces makes exactly the chunks of chunkDocument', () => {
    const next = random(11);
    for (let round = 0; round < 300; round++) {
      const sections: ExtractedSection[] = Array.from({ length: 1 + Math.floor(next() * 4) }, () => ({ text: text(next, Math.floor(next() * 3000)), page: next() < 0.5 ? 1 : 2, heading: next() < 0.5 ? 'H' : null }));
      const options = { chunkSize: 100 + Math.floor(next() * 200), chunkOverlap: Math.floor(next() * 80) };
      const streamed: ChunkDraft[] = [];
      const chunker = new DocumentChunker(options, (chunk) => streamed.push(chunk));
      for (const section of sections) {
        chunker.startSection(section.page, section.heading);
        for (const piece of pieces(next, section.text, 2000)) chunker.write(piece);
      }
      const { chunks, text: whole } = chunkDocument(sections, options);
      expect(chunker.end()).toEqual({ chunks: chunks.length, characters: whole.length });
      expect(streamed).toEqual(chunks);
    }
  });

  it('a text file streams through the worker as the same chunks as the one-shot loader, BOMs and legacy encodings included', async () => {
    const { parse } = await worker();
    const body = Array.from({ length: 3000 }, (_, i) => `Line ${i} says caf\u00e9 and na\u00efve things.${i % 7 === 0 ? '\r\n\r\n' : ' '}`).join('');
    const files = [
      write('utf8.txt', body),
      write('bom.txt', Buffer.concat([Buffer.from([0xef, 0xbb, 0xbf]), Buffer.from(body)])),
      write('utf16.txt', Buffer.concat([Buffer.from([0xff, 0xfe]), Buffer.from(body, 'utf16le')])),
      write('latin1.txt', Buffer.from(body, 'latin1')),
      write('code.ts', `\n\n${body.replace(/\. /g, ';\n    ')}`),
    ];
    for (const file of files) {
      const { result, chunks } = await parse(file, { chunkSize: 300, chunkOverlap: 40 });
      const local = chunkDocument((await loadDocument(file, { maxBytes: 200 * MB })).sections, { chunkSize: 300, chunkOverlap: 40 });
      expect(chunks, path.basename(file)).toEqual(local.chunks);
      expect(result.characters).toBe(local.text.length);
    }
  });

  const data = sharedDataDir();
  it.skipIf(!data)(`the 127k-word novel streams as the same chunks as the one-shot loader (${needsSharedData})`, async () => {
    const file = path.join(data!, 'docs/text/1342-0.txt');
    const { parse } = await worker();
    const { chunks } = await parse(file);
    const local = chunkDocument((await loadDocument(file, { maxBytes: 200 * MB })).sections, { chunkSize: 1000, chunkOverlap: 100 });
    expect(chunks.length).toBeGreaterThan(500);
    expect(chunks).toEqual(local.chunks);
  });
});

describe('pathological structure is cut off early with its own reason', () => {
  const cases: [string, () => string | Buffer, RegExp][] = [
    ['nested-million.html', () => `<html><body>${'<div>'.repeat(1_000_000)}x${'</div>'.repeat(1_000_000)}</body></html>`, /^nested-million\.html is nested too deeply \(more than 512 levels of elements inside each other\)\.$/],
    ['unclosed-divs.html', () => `<html><body>${'<div>'.repeat(100_000)}text`, /^unclosed-divs\.html is nested too deeply/],
    ['unclosed-bold.html', () => `<p>${'<b>'.repeat(100_000)}text`, /^unclosed-bold\.html is nested too deeply/],
    ['one-word.txt', () => 'a'.repeat(20 * MB), /^one-word\.txt has no word breaks \(more than 1,000,000 characters without a space or line break\), so it cannot be split into passages\.$/],
    ['one-word.md', () => `# Title\n\n${'x'.repeat(2 * MB)}\n`, /^one-word\.md has no word breaks/],
    ['quotes.md', () => `${'>'.repeat(100_000)} deep\n`, /^quotes\.md is nested too deeply for the Markdown file reader\.$/],
  ];
  it.each(cases)('%s', async (name, content, reason) => {
    const { parse } = await worker();
    const error = await parse(write(name, content())).then(() => null, (e: unknown) => e);
    expect(error).toMatchObject({ code: ErrorCode.DocumentInvalid, message: expect.stringMatching(reason) });
    expect((error as Error).message).not.toMatch(/damaged/);
  });

  it('a code file with a megabyte of spaces before its code reads at once, its indentation capped', async () => {
    const { parse } = await worker();
    const file = write('spaces.js', `${' '.repeat(MB)}const answer = 42;\n${'\t \u3000'.repeat(300_000)}\nexport default answer;   \n`);
    const { result, chunks } = await parse(file, { chunkSize: 300, chunkOverlap: 40 });
    expect(chunks.map((chunk) => chunk.text)).toEqual(['const answer = 42;\n\nexport default answer;']);
    expect(result.characters).toBeLessThan(10_000);
  }, 60_000);

  it('HTML nested within the limit still reads', async () => {
    const { parse } = await worker();
    const { chunks } = await parse(write('nested-ok.html', `<html><body>${'<div>'.repeat(400)}<p>Deep but fine words.</p>${'</div>'.repeat(400)}</body></html>`));
    expect(chunks.map((chunk) => chunk.text)).toEqual(['Deep but fine words.']);
  });
});
