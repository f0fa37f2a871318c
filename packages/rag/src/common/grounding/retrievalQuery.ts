import { queryTerms } from './queryTerms.js';

export interface RetrievalQuery {
  /** What the full-text and vector searches get. */
  text: string;
  /** The question's own terms (stemmed). */
  terms: string[];
  /** Terms carried over from earlier questions of the conversation, weighed at half. */
  context: string[];
}

/** Words that point back at something named earlier ("When was it founded?"). */
const pointsBack = /\b(?:it|its|it's|they|them|their|theirs|he|him|his|she|her|hers|this|that|these|those|there|then|one|ones|the same|such)\b/i;

/**
 * The search for a question in a conversation. A follow-up (it points back with "it", "they", "there"...,
 * or names fewer than three searchable words) is searched together with the user's previous question, up
 * to two back while those were follow-ups too; the earlier words count half, so the new question still
 * decides which sentences are read.
 */
export function retrievalQuery(question: string, history: readonly { role: 'user' | 'assistant'; text: string }[]): RetrievalQuery {
  const terms = queryTerms(question);
  const earlier = history.filter((message) => message.role === 'user').map((message) => message.text);
  const isFollowUp = (text: string) => pointsBack.test(text) || queryTerms(text).length < 3;
  if (earlier.length === 0 || !isFollowUp(question)) return { text: question, terms, context: [] };
  const carried: string[] = [];
  for (let i = earlier.length - 1; i >= 0 && carried.length < 2; i--) {
    carried.push(earlier[i]!);
    if (!isFollowUp(earlier[i]!)) break;
  }
  const own = new Set(terms);
  const context = [...new Set(carried.flatMap((text) => queryTerms(text)))].filter((term) => !own.has(term));
  return { text: [question, ...carried].join('\n'), terms, context };
}
