import { memo, useCallback, useEffect, useState } from 'react';
import type { Message } from '@assistant/core';
import { plural } from '../format';
import { Sources, sourceId, textWithMarkers } from './Sources';

interface Props {
  message: Message;
  /** True for the reply being streamed right now. */
  live: boolean;
  trimmed: number | undefined;
}

/** Why an answer did not use the documents, quietly under it. */
const groundingNotes: Record<NonNullable<Message['grounding']>, string> = {
  noMatch: 'No document matched this question.',
  noRoom: 'Your documents were not used: the passage budget in Settings leaves no room for them.',
};

/** How long a source stays highlighted after its [n] marker was pressed. */
const highlightMs = 2000;

/**
 * One message as plain text (React escapes it: no HTML from the model ever reaches the DOM). An answer
 * from the user's documents lists its sources underneath; each [n] in the text jumps to its source.
 */
export const MessageView = memo(function MessageView({ message, live, trimmed }: Props) {
  const isUser = message.role === 'user';
  const waiting = live && message.text.length === 0;
  const citations = isUser ? [] : (message.citations ?? []);
  const [highlighted, setHighlighted] = useState<number | null>(null);

  useEffect(() => {
    if (highlighted === null) return;
    const timer = setTimeout(() => setHighlighted(null), highlightMs);
    return () => clearTimeout(timer);
  }, [highlighted]);

  const onMarker = useCallback(
    (n: number) => {
      const target = document.getElementById(sourceId(message.id, n));
      target?.focus();
      target?.scrollIntoView({ block: 'nearest', behavior: 'smooth' });
      setHighlighted(n);
    },
    [message.id],
  );

  return (
    <article className={`message message-${message.role}`}>
      <div className="message-role">{isUser ? 'You' : 'Assistant'}</div>
      <div className="message-body">
        {waiting ? (
          <div className="message-waiting">
            <span className="dots" aria-hidden="true">
              <span />
              <span />
              <span />
            </span>
            <span className="visually-hidden">Thinking…</span>
          </div>
        ) : (
          message.text && <div className={`message-text${live ? ' message-text-live' : ''}`}>{textWithMarkers(message.text, citations, onMarker)}</div>
        )}
        {message.status === 'cancelled' && <span className="tag">Stopped</span>}
        {message.status === 'interrupted' && <span className="tag">Interrupted</span>}
        {message.status === 'error' && <div className="message-error">{message.error?.message ?? 'The reply failed.'}</div>}
        {citations.length > 0 && <Sources messageId={message.id} citations={citations} highlighted={highlighted} />}
        {!isUser && message.grounding && <p className="message-note">{groundingNotes[message.grounding]}</p>}
        {trimmed !== undefined && trimmed > 0 && (
          <p className="message-note">{plural(trimmed, 'earlier message', 'earlier messages')} did not fit the model's context and {trimmed === 1 ? 'was' : 'were'} left out of this reply.</p>
        )}
      </div>
    </article>
  );
});
