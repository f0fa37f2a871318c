import type { ConversationSearchHit } from '../../common/contract/schemas.js';

/** At most this many words of a query are searched for (a pasted paragraph is not a search). */
const maxTerms = 16;

/** Marks that FTS5's snippet() puts around each matched word; control characters no one types. */
export const snippetStart = '\u0002';
export const snippetEnd = '\u0003';

/**
 * The words of a search box query: split on whitespace, control characters dropped (a NUL would end the
 * FTS5 string early), and words without a letter or digit left out (the tokenizer would make an empty
 * phrase of them, which matches nothing and so would make the whole query match nothing).
 */
export function searchTerms(query: string): string[] {
  return query
    .normalize('NFC')
    .replace(/\p{Cc}/gu, ' ')
    .split(/\s+/)
    .filter((term) => /[\p{L}\p{N}]/u.test(term))
    .slice(0, maxTerms);
}

/**
 * An FTS5 MATCH expression in which every term is a quoted string (never an operator: AND, NEAR, `*`,
 * `^`, parentheses and quotes are all just text) with a prefix star, so a word still being typed matches.
 * The terms are joined by FTS5's implicit AND.
 */
export function ftsPrefixQuery(terms: readonly string[]): string {
  return terms.map((term) => `"${term.replaceAll('"', '""')}"*`).join(' ');
}

/** Case and accents folded the way the FTS5 tokenizer folds them (remove_diacritics), for titles. */
export function foldForSearch(text: string): string {
  return text.normalize('NFD').replace(/\p{M}/gu, '').toLowerCase();
}

/** snippet()'s output as pieces to render (never as HTML): the text between the marks is a match. */
export function snippetPieces(snippet: string): ConversationSearchHit['snippet'] {
  const pieces: ConversationSearchHit['snippet'] = [];
  let match = false;
  for (const part of snippet.split(new RegExp(`([${snippetStart}${snippetEnd}])`))) {
    if (part === snippetStart) match = true;
    else if (part === snippetEnd) match = false;
    else if (part) pieces.push({ text: part, match });
  }
  return pieces;
}
