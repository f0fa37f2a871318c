/**
 * Turns any user text into a safe SQLite FTS5 MATCH expression: never a syntax error, whatever the input
 * (quotes, AND/OR/NOT/NEAR, `*`, `^`, parentheses, emoji). Tokens are runs of Unicode letters, digits and
 * combining marks that start with a letter or digit, NFC-normalized and lowercased; English stopwords and one-character tokens are dropped, duplicates removed.
 * Each token is double-quoted (so it is a string, never an operator) and the tokens are OR-joined, which
 * lets bm25() rank chunks matching more of them higher. Returns '' when nothing is left to search for.
 */
export function buildFtsQuery(text: string, maxTokens = 32): string {
  return ftsTokens(text, maxTokens)
    .map((token) => `"${token}"`)
    .join(' OR ');
}

/** The tokens buildFtsQuery searches for, in order of first appearance. */
export function ftsTokens(text: string, maxTokens = 32): string[] {
  const seen = new Set<string>();
  for (const match of text.normalize('NFC').toLowerCase().matchAll(/[\p{L}\p{N}][\p{L}\p{N}\p{M}]*/gu)) {
    const token = match[0];
    if ([...token].length < 2 || englishStopwords.has(token) || seen.has(token)) continue;
    seen.add(token);
    if (seen.size >= maxTokens) break;
  }
  return [...seen];
}

export const englishStopwords: ReadonlySet<string> = new Set(
  (
    'a about above after again against all am an and any are aren arent as at be because been before being below between both but by ' +
    'can cannot could couldn couldnt did didn didnt do does doesn doesnt doing don dont down during each few for from further had hadn ' +
    'has hasn hasnt have haven havent having he her here hers herself him himself his how i if in into is isn isnt it its itself just ' +
    'let ll me more most mustn my myself no nor not now of off on once only or other ought our ours ourselves out over own re same shan ' +
    'she should shouldn so some such than that the their theirs them themselves then there these they this those through to too under ' +
    'until up us ve very was wasn we were weren what when where which while who whom why will with won would wouldn you your yours ' +
    'yourself yourselves also tell please'
  ).split(' '),
);
