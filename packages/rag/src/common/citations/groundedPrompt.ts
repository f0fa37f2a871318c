import type { Citation } from '@assistant/core';

/** "tracemonkey.pdf, p. 3" or "Installation — Linux": where a citation points, for people and prompts. */
export function citationLabel(citation: Pick<Citation, 'documentName' | 'page' | 'heading'>): string {
  if (citation.page !== null) return `${citation.documentName}, p. ${citation.page}`;
  if (citation.heading) return `${citation.documentName} — ${citation.heading}`;
  return citation.documentName;
}

/**
 * The instructions and numbered passages the chat model answers from. They go in the user turn, not the
 * system prompt, so they work with every chat template and stay next to the question they belong to.
 */
export function groundedPrompt(question: string, citations: readonly Citation[]): string {
  const sources = citations.map((citation) => `[${citation.n}] ${citationLabel(citation)}\n${citation.text.trim()}`).join('\n\n');
  return [
    'Answer the question using the numbered sources below. After each fact, cite its source number in brackets, like [1] or [2][3].',
    'If the sources do not contain the answer, say that your documents do not cover it.',
    '',
    'Sources:',
    sources,
    '',
    `Question: ${question.trim()}`,
  ].join('\n');
}

const excerptChars = 500;

/** The answer when there is no chat model: the best passages themselves, each cited. */
export function retrievalOnlyAnswer(question: string, citations: readonly Citation[]): string {
  if (citations.length === 0) {
    return `No chat model is installed, and none of your documents matches “${question.trim()}”. Install a chat model in Setup to get written answers.`;
  }
  const passages = citations.map((citation) => `[${citation.n}] ${excerpt(citation.text)} (${citationLabel(citation)})`);
  return ['No chat model is installed, so here are the passages from your documents that best match your question:', '', ...passages.flatMap((p) => [p, ''])].join('\n').trimEnd();
}

function excerpt(text: string): string {
  const flat = text.replace(/\s+/g, ' ').trim();
  if (flat.length <= excerptChars) return `“${flat}”`;
  const cut = flat.slice(0, excerptChars);
  const end = cut.lastIndexOf(' ');
  return `“${cut.slice(0, end > excerptChars * 0.7 ? end : excerptChars)}…”`;
}

/** Numbers search hits as citations 1..n, best first, keeping the total passage text within `maxChars` (at least one). */
export function selectCitations<T extends Omit<Citation, 'n'>>(hits: readonly T[], options: { maxCitations: number; maxChars: number }): Citation[] {
  const citations: Citation[] = [];
  let used = 0;
  for (const hit of hits) {
    if (citations.length >= options.maxCitations) break;
    if (citations.length > 0 && used + hit.text.length > options.maxChars) break;
    const text = citations.length === 0 && hit.text.length > options.maxChars ? hit.text.slice(0, options.maxChars) : hit.text;
    used += text.length;
    citations.push({ n: citations.length + 1, chunkId: hit.chunkId, documentId: hit.documentId, documentName: hit.documentName, path: hit.path, page: hit.page, heading: hit.heading, start: hit.start, end: hit.end, text, ...(hit.ocrConfidence == null ? {} : { ocrConfidence: hit.ocrConfidence }) });
  }
  return citations;
}
