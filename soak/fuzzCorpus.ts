// Hostile and unlucky files made from real documents: byte flips, truncations, corrupted zip entries, zip
// bombs, deep nesting, text without word breaks, wrong extensions and odd names. Deterministic per seed.
import fs from 'node:fs';
import path from 'node:path';
import zlib from 'node:zlib';
import { makeZip, zipBomb } from '../test/support/zipFixtures.js';

/** What a sound app must do with the file: ingest it, refuse it (with any reason), or either. */
export type Expect = 'ready' | 'failed' | 'either';

export interface FuzzFile {
  file: string;
  kind: string;
  expect: Expect;
  /** The reason must match (a pathological file has its own reason, never "damaged"). */
  reason?: RegExp;
}

export function seeded(seed: number): () => number {
  let state = seed >>> 0 || 1;
  return () => {
    // xorshift32
    state ^= state << 13;
    state ^= state >>> 17;
    state ^= state << 5;
    return (state >>> 0) / 4294967296;
  };
}

/** The shared documents to mutate: every file under `docs` but the SOURCE.md notes. */
export function sourceDocuments(docs: string): string[] {
  const out: string[] = [];
  const walk = (dir: string) => {
    for (const entry of fs.readdirSync(dir, { withFileTypes: true })) {
      const full = path.join(dir, entry.name);
      if (entry.isDirectory()) walk(full);
      else if (entry.name !== 'SOURCE.md') out.push(full);
    }
  };
  walk(docs);
  return out.sort();
}

/** Sound documents of the shared data that ingest (the baseline, and the bodies behind odd names). */
export const soundSources = ['text/LICENSE.txt', 'markdown/ch01-01-installation.md', 'html/v8-blog-standalone-wasm.html', 'docx-mammoth/tables.docx', 'epub/alice_without_cover.epub', 'pdf/valid/vertical.pdf'];

const oddNames = [
  'notes\n  ingested  fake.pdf (3 pages)',
  'title\x1b]0;pwned\x07\x1b[2J',
  'invoice\u202egnp',
  '-rf --help',
  ' leading and trailing spaces ',
  'x'.repeat(200),
  'Ünïcødé 東京 😀',
  'semi;colon$(echo hi)`id`',
  'tab\there',
  "quote'\"back\\slash",
];
const extensions = ['.pdf', '.docx', '.epub', '.html', '.md', '.txt', '.json'];

/** Writes `count` fuzzed files into `dir` (in subfolders of `batchSize`), and says what each must give. */
export function makeFuzzCorpus(options: { docs: string; dir: string; count: number; seed?: number; unreadable?: boolean }): FuzzFile[] {
  const random = seeded(options.seed ?? 1);
  const pick = <T>(items: readonly T[]): T => items[Math.floor(random() * items.length)]!;
  const sources = sourceDocuments(options.docs);
  const zips = sources.filter((file) => /\.(docx|epub)$/.test(file));
  const files: FuzzFile[] = [];
  const write = (name: string, content: Buffer | string, kind: string, expect: Expect, reason?: RegExp) => {
    const file = path.join(options.dir, `${String(files.length).padStart(5, '0')}-${name}`);
    fs.writeFileSync(file, content);
    files.push({ file, kind, expect, reason });
    return file;
  };
  const generators: (() => void)[] = [
    () => {
      const source = pick(sources);
      const bytes = Buffer.from(fs.readFileSync(source));
      for (let i = 0, flips = 1 + Math.floor(random() * 64); i < flips && bytes.length > 0; i++) bytes[Math.floor(random() * bytes.length)]! ^= 1 << Math.floor(random() * 8);
      write(`flip${path.extname(source)}`, bytes, 'byte flips', 'either');
    },
    () => {
      const source = pick(sources);
      const bytes = fs.readFileSync(source);
      write(`cut${path.extname(source)}`, bytes.subarray(0, Math.floor(random() * bytes.length)), 'truncation', 'either');
    },
    () => {
      const source = pick(zips);
      const bytes = Buffer.from(fs.readFileSync(source));
      // Garble bytes inside a stored entry's data (after a local header), leaving the directory intact.
      const headers: number[] = [];
      for (let at = bytes.indexOf('PK\x03\x04'); at >= 0; at = bytes.indexOf('PK\x03\x04', at + 4)) headers.push(at);
      const at = headers.length > 0 ? pick(headers) : 0;
      const start = at + 30 + bytes.readUInt16LE(at + 26) + bytes.readUInt16LE(at + 28);
      for (let i = 0; i < 16 && start + i < bytes.length; i++) bytes[start + Math.floor(random() * 64)] = Math.floor(random() * 256);
      write(`entry${path.extname(source)}`, bytes, 'zip-entry corruption', 'either');
    },
    () => {
      const kind = random() < 0.5 ? 'docx' : 'epub';
      if (random() < 0.5) write(`bomb.${kind}`, zipBomb(kind, 300 + Math.floor(random() * 3700)), 'zip bomb (lying sizes)', 'failed', /zip bomb/);
      else write(`ratio-bomb.${kind}`, makeZip([{ name: kind === 'docx' ? 'word/document.xml' : 'META-INF/container.xml', data: Buffer.alloc(40 * 1024 * 1024 + Math.floor(random() * 65_536), 0x20) }]), 'zip bomb (ratio)', 'failed', /zip bomb/);
    },
    () => {
      const depth = 1000 + Math.floor(random() * 200_000);
      const variant = Math.floor(random() * 3);
      if (variant === 0) write('nested.html', `<html><body>${'<div>'.repeat(depth)}x${'</div>'.repeat(depth)}</body></html>`, 'deep nesting', 'failed', /nested too deeply/);
      else if (variant === 1) write('unclosed.html', `<p>${'<span>'.repeat(depth)}text`, 'unclosed tags', 'failed', /nested too deeply/);
      // Markdown quotes nest as deep as the parser's stack allows: read, or refused as nested too deeply.
      else write('quotes.md', `${'>'.repeat(depth)} deep\n`, 'deep Markdown quotes', 'either', /nested too deeply/);
    },
    () => {
      const docx = makeZip([
        { name: '[Content_Types].xml', data: Buffer.from('<?xml version="1.0"?><Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types"/>') },
        { name: 'word/document.xml', data: zlib.inflateRawSync(zlib.deflateRawSync(Buffer.from(`<?xml version="1.0"?><w:document xmlns:w="http://schemas.openxmlformats.org/wordprocessingml/2006/main"><w:body>${'<w:tbl><w:tr><w:tc>'.repeat(2000)}<w:p><w:r><w:t>deep</w:t></w:r></w:p>${'</w:tc></w:tr></w:tbl>'.repeat(2000)}</w:body></w:document>`))) },
      ]);
      write('nested.docx', docx, 'deeply nested Word tables', 'either');
    },
    () => write('one-word.txt', 'a'.repeat(1_100_000 + Math.floor(random() * 2_000_000)), 'no word breaks', 'failed', /no word breaks/),
    () => {
      const source = pick(sources);
      const wrong = pick(extensions.filter((extension) => extension !== path.extname(source)));
      write(`wrong${wrong}`, fs.readFileSync(source), 'wrong extension', 'either');
    },
    () => {
      const source = path.join(options.docs, pick(soundSources));
      const name = `${pick(oddNames)}${path.extname(source)}`;
      // Text bodies get a line of their own, so each copy is a new document rather than a duplicate.
      const body = /\.(txt|md|html)$/.test(source) ? Buffer.concat([fs.readFileSync(source), Buffer.from(`\n\nCopy ${files.length}.\n`)]) : fs.readFileSync(source);
      write(name, body, 'odd name', 'ready');
    },
    () => {
      const junk = Buffer.alloc(1 + Math.floor(random() * 65_536));
      for (let i = 0; i < junk.length; i++) junk[i] = Math.floor(random() * 256);
      write(`junk${pick(extensions)}`, random() < 0.2 ? Buffer.alloc(0) : junk, 'random bytes or empty', 'failed');
    },
  ];
  for (let i = 0; i < options.count; i++) generators[i % generators.length]!();
  if (options.unreadable) {
    const source = path.join(options.docs, soundSources[0]!);
    const file = write('locked.txt', fs.readFileSync(source), 'unreadable (chmod 000)', 'failed', /permission denied/);
    fs.chmodSync(file, 0o000);
  }
  return files;
}
