import type { ConversationSearchHit } from '@assistant/core';

/** Text with its matched words marked: pieces from the host, rendered as text (React escapes it), never HTML. */
export function Highlighted({ pieces }: { pieces: ConversationSearchHit['snippet'] }) {
  return (
    <>
      {pieces.map((piece, index) => (piece.match ? <mark key={index}>{piece.text}</mark> : <span key={index}>{piece.text}</span>))}
    </>
  );
}
