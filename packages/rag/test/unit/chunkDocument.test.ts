import fs from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { chunkDocument, type ExtractedSection, SECTION_SEPARATOR } from '../../src/index.js';
import { needsSharedData, sharedDataDir } from '../../../../test/support/sharedData.js';

const section = (text: string, heading: string | null = null, page: number | null = null): ExtractedSection => ({ text, heading, page });

function expectOffsetsHold(result: ReturnType<typeof chunkDocument>) {
  result.chunks.forEach((chunk, index) => {
    expect(chunk.ordinal).toBe(index);
    expect(result.text.slice(chunk.start, chunk.end)).toBe(chunk.text);
    expect(chunk.text).toBe(chunk.text.trim());
    expect(chunk.text.length).toBeGreaterThan(0);
  });
}

const sentence = (n: number) => `Sentence number ${n} talks about topic ${n % 7} in some detail.`;
const paragraph = (from: number, count: number) => Array.from({ length: count }, (_, i) => sentence(from + i)).join(' ');

describe('chunkDocument', () => {
  it('defines the text as the sections joined by a blank line', () => {
    const result = chunkDocument([section('Alpha.'), section('  '), section('Beta.', 'B')], { chunkSize: 100, chunkOverlap: 0 });
    expect(result.text).toBe(`Alpha.${SECTION_SEPARATOR}Beta.`);
    expect(result.chunks.map((c) => [c.text, c.heading])).toEqual([
      ['Alpha.', null],
      ['Beta.', 'B'],
    ]);
    expectOffsetsHold(result);
  });

  it('never merges sections with a different page or heading, but merges small paragraphs inside one', () => {
    const result = chunkDocument(
      [section('One.\n\nTwo.\n\nThree.', 'H1', 1), section('Four.', 'H1', 2), section('Five.', 'H2', 2), section('Six.', 'H2', 2)],
      { chunkSize: 200, chunkOverlap: 20 },
    );
    expect(result.chunks.map((c) => [c.text, c.heading, c.page])).toEqual([
      ['One.\n\nTwo.\n\nThree.', 'H1', 1],
      ['Four.', 'H1', 2],
      ['Five.\n\nSix.', 'H2', 2],
    ]);
    expectOffsetsHold(result);
  });

  it('cuts long sections at paragraph, then sentence, then word boundaries, within chunkSize', () => {
    const text = [paragraph(0, 6), paragraph(6, 6), paragraph(12, 30)].join('\n\n');
    const result = chunkDocument([section(text, 'Long')], { chunkSize: 500, chunkOverlap: 0 });
    expectOffsetsHold(result);
    for (const chunk of result.chunks) {
      expect(chunk.text.length).toBeLessThanOrEqual(500);
      expect(chunk.text).toMatch(/\.$/); // every cut lands after a sentence
      expect(chunk.heading).toBe('Long');
    }
    // The first cut is the paragraph break (first paragraph is ~370 chars, under 500).
    expect(result.chunks[0]!.text).toBe(paragraph(0, 6));
    // No overlap: chunks tile the text.
    const joined = result.chunks.map((c) => c.text).join(' ').replace(/\s+/g, ' ');
    expect(joined).toBe(text.replace(/\s+/g, ' '));

    const words = Array.from({ length: 400 }, (_, i) => `word${i}`).join(' ');
    const byWord = chunkDocument([section(words)], { chunkSize: 100, chunkOverlap: 0 });
    expectOffsetsHold(byWord);
    for (const chunk of byWord.chunks) expect(chunk.text).toMatch(/^word\d+( word\d+)*$/);

    const giant = 'x'.repeat(1050);
    const hard = chunkDocument([section(giant)], { chunkSize: 100, chunkOverlap: 10 });
    expectOffsetsHold(hard);
    expect(hard.chunks.every((c) => c.text.length <= 100)).toBe(true);
  });

  it('overlaps consecutive chunks of a section, starting the overlap at a sentence or word', () => {
    const text = paragraph(0, 60);
    const result = chunkDocument([section(text)], { chunkSize: 400, chunkOverlap: 100 });
    expectOffsetsHold(result);
    for (let i = 1; i < result.chunks.length; i++) {
      const previous = result.chunks[i - 1]!;
      const chunk = result.chunks[i]!;
      expect(chunk.start).toBeLessThan(previous.end);
      expect(previous.end - chunk.start).toBeLessThanOrEqual(100);
      expect(chunk.text).toMatch(/^Sentence number/); // the overlap begins at a sentence start
    }
    const words = Array.from({ length: 300 }, (_, i) => `w${i}`).join(' ');
    const wordOverlap = chunkDocument([section(words)], { chunkSize: 100, chunkOverlap: 30 });
    expectOffsetsHold(wordOverlap);
    for (const chunk of wordOverlap.chunks) expect(chunk.text).toMatch(/^w\d+/);
    expect(wordOverlap.chunks[1]!.start).toBeLessThan(wordOverlap.chunks[0]!.end);
  });

  it('does not split surrogate pairs on a hard cut and always makes progress', () => {
    const emoji = '😀'.repeat(300);
    const result = chunkDocument([section(emoji)], { chunkSize: 101, chunkOverlap: 50 });
    expectOffsetsHold(result);
    for (const chunk of result.chunks) expect(chunk.text).toMatch(/^(?:😀)+$/u);
    const tiny = chunkDocument([section('ab cd ef gh')], { chunkSize: 1, chunkOverlap: 5 });
    expectOffsetsHold(tiny);
  });

  it('is deterministic', () => {
    const sections = [section(paragraph(0, 80), 'A', 1), section(paragraph(80, 10), 'B', 2)];
    expect(chunkDocument(sections, { chunkSize: 300, chunkOverlap: 60 })).toEqual(chunkDocument(sections, { chunkSize: 300, chunkOverlap: 60 }));
  });

  const dataDir = sharedDataDir();
  describe.skipIf(!dataDir)(`on the novel (${needsSharedData})`, () => {
    it('chunks the 737 KB Pride and Prejudice in well under a second', () => {
      const text = fs.readFileSync(path.join(dataDir!, 'docs/text/1342-0.txt'), 'utf8');
      const started = performance.now();
      const result = chunkDocument([section(text)], { chunkSize: 1000, chunkOverlap: 150 });
      const elapsed = performance.now() - started;
      expect(elapsed).toBeLessThan(500);
      expect(result.chunks.length).toBeGreaterThan(700);
      expectOffsetsHold(result);
      for (const chunk of result.chunks) expect(chunk.text.length).toBeLessThanOrEqual(1000);
    });
  });
});
