import type { Citation } from '../contract/passageSchemas.js';

/** "tracemonkey.pdf, p. 3" or "Installation — Linux": where a citation points, for people and prompts. */
export function citationLabel(citation: Pick<Citation, 'documentName' | 'page' | 'heading'>): string {
  if (citation.page !== null) return `${citation.documentName}, p. ${citation.page}`;
  if (citation.heading) return `${citation.documentName} — ${citation.heading}`;
  return citation.documentName;
}

/** One numbered source as the model reads it: what the passage budget counts. */
export function sourceBlock(n: number, label: string, text: string): string {
  return `[${n}] ${label}\n${text.trim()}`;
}

/** Between two source blocks. */
export const sourceSeparator = '\n\n';

/**
 * The instructions and numbered passages the chat model answers from. They go in the user turn, not the
 * system prompt, so they work with every chat template and stay next to the question they belong to.
 * Without sources it is the question itself: an ungrounded turn costs no extra token.
 */
export function groundedPrompt(question: string, sources: readonly { label: string; text: string }[]): string {
  if (sources.length === 0) return question;
  return [
    'Answer the question using the numbered sources below. After each fact, cite its source number in brackets, like [1] or [2][3].',
    'If the sources do not contain the answer, say that your documents do not cover it.',
    '',
    'Sources:',
    sources.map((source, i) => sourceBlock(i + 1, source.label, source.text)).join(sourceSeparator),
    '',
    `Question: ${question.trim()}`,
  ].join('\n');
}
