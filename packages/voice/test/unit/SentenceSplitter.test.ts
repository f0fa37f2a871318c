import { describe, expect, it } from 'vitest';
import { SentenceSplitter, speakableText, splitSentences } from '../../src/index.js';

const reply = `Dr. Smith moved to the U.S. in 2019. The value of pi is about 3.14, e.g. in school maths! Is that right? Yes... It is.
He said "Stop." Then he left.[1] Prices rose (see the report.) Sales fell [2]. Costs too. [3] The end.

## Next steps
- Call J. K. Rowling about it.
1. First, install **the app**.
2. Then open \`settings\` at https://example.com/setup.
Well… maybe later. Done`;

const expected = [
  'Dr. Smith moved to the U.S. in 2019.',
  'The value of pi is about 3.14, e.g. in school maths!',
  'Is that right?',
  'Yes...',
  'It is.',
  'He said "Stop."',
  'Then he left.[1]',
  'Prices rose (see the report.)',
  'Sales fell [2].',
  'Costs too. [3]',
  'The end.',
  '## Next steps',
  '- Call J. K. Rowling about it.',
  '1. First, install **the app**.',
  '2. Then open `settings` at https://example.com/setup.',
  'Well… maybe later.',
  'Done',
];

/** Splits like an LLM streams: pieces of 1–4 characters. */
function streamed(text: string, sizes: number[]): string[] {
  const splitter = new SentenceSplitter();
  const out: string[] = [];
  let at = 0;
  for (let i = 0; at < text.length; i++) {
    const size = sizes[i % sizes.length]!;
    out.push(...splitter.push(text.slice(at, at + size)));
    at += size;
  }
  return [...out, ...splitter.flush()];
}

describe('SentenceSplitter', () => {
  it('splits a whole reply at sentence ends, not at abbreviations, decimals, initials or list numbers', () => {
    expect(splitSentences(reply)).toEqual(expected);
  });

  it('gives the same sentences token by token as for the whole text', () => {
    expect(streamed(reply, [1])).toEqual(expected);
    expect(streamed(reply, [3, 1, 4, 1, 5, 2])).toEqual(expected);
  });

  it('returns a sentence as soon as the next one starts, and the rest on flush', () => {
    const splitter = new SentenceSplitter();
    expect(splitter.push('Hello there.')).toEqual([]);
    expect(splitter.push(' How')).toEqual(['Hello there.']);
    expect(splitter.push(' are you?\n')).toEqual(['How are you?']);
    expect(splitter.push('Fine')).toEqual([]);
    expect(splitter.flush()).toEqual(['Fine']);
    expect(splitter.flush()).toEqual([]);
  });

  it('waits for a citation that is still arriving', () => {
    const splitter = new SentenceSplitter();
    expect(splitter.push('It works. [1')).toEqual([]);
    expect(splitter.push('2] Next')).toEqual(['It works. [12]']);
  });

  it('does not end sentences at "No. 5", "etc." mid-sentence or "a.m." before lowercase', () => {
    expect(splitSentences('See No. 5 and apples, pears, etc. in the box. We met at 9 a.m. today. Then we left.')).toEqual([
      'See No. 5 and apples, pears, etc. in the box.',
      'We met at 9 a.m. today.',
      'Then we left.',
    ]);
  });
});

describe('speakableText', () => {
  it('drops citations, URLs, markdown emphasis, code ticks and list or heading markers', () => {
    expect(speakableText('Sales fell [2].')).toBe('Sales fell.');
    expect(speakableText('Then he left.[1]')).toBe('Then he left.');
    expect(speakableText('Costs too. [3, 4]')).toBe('Costs too.');
    expect(speakableText('## Next steps')).toBe('Next steps');
    expect(speakableText('1. First, install **the app**.')).toBe('First, install the app.');
    expect(speakableText('- It is _really_ ~~not~~ fine')).toBe('It is really not fine');
    expect(speakableText('2. Then open `settings` at https://example.com/setup.')).toBe('Then open settings at.');
    expect(speakableText('Read [the guide](https://example.com/guide) first.')).toBe('Read the guide first.');
    expect(speakableText('keep snake_case_names intact')).toBe('keep snake_case_names intact');
  });
});
