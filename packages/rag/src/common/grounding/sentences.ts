/** A sentence of a passage: `text.slice(start, end)`, trailing whitespace excluded. */
export interface SentenceSpan {
  start: number;
  end: number;
}

const segmenter = new Intl.Segmenter('en', { granularity: 'sentence' });

/** "Dr.", "St.", "U.S.", "D.C.", an initial "J.": a full stop that usually does not end a sentence. */
const abbreviationEnd = /(?:^|[\s(])(?:(?:Mr|Mrs|Ms|Dr|St|Mt|Jr|Sr|Prof|Gen|Col|Lt|Capt|Rev|Gov|Sen|Rep|Inc|Ltd|Co|Corp|No|vs|etc|approx|ca|cf|Jan|Feb|Mar|Apr|Jun|Jul|Aug|Sep|Sept|Oct|Nov|Dec|[A-Z])|(?:[A-Za-z]\.){1,4}[A-Za-z])\.$/;

/**
 * Splits a passage into sentences with the platform's Unicode sentence rules (Intl.Segmenter), joining
 * pieces that end in a common abbreviation or initial, and cutting any sentence longer than `maxChars`
 * at word boundaries (a 50 KB line without full stops still gives question-sized pieces). Linear.
 */
export function splitSentences(text: string, maxChars = 400): SentenceSpan[] {
  const raw: SentenceSpan[] = [];
  for (const segment of segmenter.segment(text)) {
    const start = segment.index;
    let end = start + segment.segment.length;
    while (end > start && /\s/.test(text[end - 1]!)) end--;
    if (end === start) continue;
    const previous = raw.at(-1);
    if (previous && abbreviationEnd.test(text.slice(Math.max(previous.start, previous.end - 12), previous.end))) previous.end = end;
    else raw.push({ start, end });
  }
  const spans: SentenceSpan[] = [];
  for (const span of raw) {
    let start = span.start;
    while (span.end - start > maxChars) {
      const limit = start + maxChars;
      const space = text.lastIndexOf(' ', limit);
      let cut = space > start + maxChars / 2 ? space : limit;
      // Never inside a surrogate pair.
      const code = text.charCodeAt(cut - 1);
      if (code >= 0xd800 && code <= 0xdbff) cut--;
      spans.push({ start, end: cut });
      start = cut;
      while (start < span.end && /\s/.test(text[start]!)) start++;
    }
    if (span.end > start) spans.push({ start, end: span.end });
  }
  return spans;
}
