import { groundingLimits } from '../contract/inferenceContract.js';
import type { Citation } from '../contract/passageSchemas.js';

/**
 * "tracemonkey.pdf, p. 3" or "Installation — Linux": where a citation points, for people and prompts. At
 * most `groundingLimits.labelChars` long (a deep heading path is cut short with "…"), so it always fits
 * a grounding request.
 */
export function citationLabel(citation: Pick<Citation, 'documentName' | 'page' | 'heading'>): string {
  const label = citation.page !== null ? `${citation.documentName}, p. ${citation.page}` : citation.heading ? `${citation.documentName} — ${citation.heading}` : citation.documentName;
  if (label.length <= groundingLimits.labelChars) return label;
  let end = groundingLimits.labelChars - 1;
  // Never inside a surrogate pair.
  if (/[\ud800-\udbff]/.test(label[end - 1]!)) end--;
  return `${label.slice(0, end)}…`;
}

/** One numbered source as the model reads it: what the passage budget counts. */
export function sourceBlock(n: number, label: string, text: string): string {
  return `[${n}] ${label}\n${text.trim()}`;
}

/** Between two source blocks. */
export const sourceSeparator = '\n\n';

/**
 * The question, then the instructions and numbered passages the chat model answers from. They go in the
 * user turn, not the system prompt, so they work with every chat template and stay next to the question they
 * belong to. The question comes first, exactly as the user wrote it: later turns carry it in the history
 * without its passages, and the engine's cached prompt then still matches through the question, so only what
 * follows it is evaluated again. Without sources it is the question itself: an ungrounded turn costs no extra token.
 */
export function groundedPrompt(question: string, sources: readonly { label: string; text: string }[]): string {
  if (sources.length === 0) return question;
  return [
    question.trim(),
    '',
    'Answer the question above using the numbered sources below. After each fact, cite its source number in brackets, like [1] or [2][3]. If the sources do not contain the answer, say that your documents do not cover it.',
    '',
    'Sources:',
    sources.map((source, i) => sourceBlock(i + 1, source.label, source.text)).join(sourceSeparator),
  ].join('\n');
}
