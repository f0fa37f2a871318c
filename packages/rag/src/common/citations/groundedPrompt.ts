import { type Citation, citationLabel } from '@assistant/core';

// The prompt itself is built where the passages are packed (the inference worker): see core's groundedPrompt.
export { citationLabel } from '@assistant/core';

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
