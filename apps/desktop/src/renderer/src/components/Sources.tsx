import { Fragment, type ReactNode } from 'react';
import type { Citation } from '@assistant/core';
import { useAssistant } from '../store';

/** "p. 4" or "§ Installation", whichever the passage knows ('' when neither). */
export function citationPlace(citation: Pick<Citation, 'page' | 'heading'>): string {
  if (citation.page !== null) return `p. ${citation.page}`;
  if (citation.heading) return `§ ${citation.heading}`;
  return '';
}

export const sourceId = (messageId: string, n: number) => `source-${messageId}-${n}`;

/** [1], [2, 3] and [1][2] in the reply: the numbers that name a citation. */
const markerPattern = /\[(\d+(?:\s*[,;]\s*\d+)*)\]/g;

/**
 * The reply's text with each [n] that names a citation turned into a button to its source. Everything
 * else stays plain text (React escapes it).
 */
export function textWithMarkers(text: string, citations: readonly Citation[], onMarker: (n: number) => void): ReactNode[] {
  if (citations.length === 0) return [text];
  const byN = new Map(citations.map((citation) => [citation.n, citation]));
  const nodes: ReactNode[] = [];
  let last = 0;
  for (const match of text.matchAll(markerPattern)) {
    const numbers = match[1]!.split(/[,;]/).map((part) => Number(part.trim()));
    if (!numbers.every((n) => byN.has(n))) continue;
    nodes.push(text.slice(last, match.index));
    nodes.push(
      <span key={match.index} className="citation-markers">
        [
        {numbers.map((n, index) => (
          <Fragment key={n}>
            {index > 0 && ', '}
            <button type="button" className="citation-marker" aria-label={`Source ${n}: ${byN.get(n)!.documentName}`} onClick={() => onMarker(n)}>
              {n}
            </button>
          </Fragment>
        ))}
        ]
      </span>,
    );
    last = match.index + match[0].length;
  }
  nodes.push(text.slice(last));
  return nodes;
}

/** The numbered sources under an answer; each opens where it points. */
export function Sources({ messageId, citations, highlighted }: { messageId: string; citations: readonly Citation[]; highlighted: number | null }) {
  const openCitation = useAssistant((s) => s.openCitation);
  const headingId = `sources-${messageId}`;
  return (
    <div className="sources">
      <h3 id={headingId} className="sources-heading">
        Sources
      </h3>
      <ol className="sources-list" aria-labelledby={headingId}>
        {citations.map((citation) => {
          const place = citationPlace(citation);
          return (
            <li key={citation.n} className={`source${highlighted === citation.n ? ' source-highlighted' : ''}`}>
              <button type="button" id={sourceId(messageId, citation.n)} className="source-open" title={citation.path} onClick={() => void openCitation(citation)}>
                <span className="source-n">[{citation.n}]</span> <span className="source-name">{citation.documentName}</span>
                {place && <span className="source-place"> — {place}</span>}
              </button>
              <p className="source-snippet">{snippet(citation.text)}</p>
            </li>
          );
        })}
      </ol>
    </div>
  );
}

function snippet(text: string): string {
  const flat = text.replace(/\s+/g, ' ').trim();
  return flat.length > 180 ? `${flat.slice(0, 180)}…` : flat;
}
