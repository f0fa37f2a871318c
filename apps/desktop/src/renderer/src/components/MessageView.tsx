import { memo, useCallback, useEffect, useState } from 'react';
import type { Message } from '@assistant/core';
import { plural } from '../format';
import { CodeSpans } from './CodeSpans';
import { CutOffNote } from './CutOffNote';
import { ReplyStats } from './ReplyStats';
import { Sources, sourceId, textWithMarkers } from './Sources';
import './messageView.css';

interface Props {
  message: Message;
  /** True for the reply being streamed right now. */
  live: boolean;
  /** The conversation's last message: a cut-off reply there can be continued. */
  last: boolean;
}

/** Why an answer did not use the documents, quietly under it. */
const groundingNotes: Record<NonNullable<Message['grounding']>, string> = {
  noMatch: 'No document matched this question.',
  noRoom: 'Your documents were not used: the passage budget in Settings leaves no room for them.',
};

/** How long a source stays highlighted after its [n] marker was pressed. */
const highlightMs = 2000;
/** Longer messages (a pasted document, a runaway reply) are shown collapsed to their start. */
const collapseOver = 3000;
const previewChars = 1200;

/** The start of a long text, cut at a word boundary, with an ellipsis. */
function preview(text: string): string {
  const cut = text.slice(0, previewChars);
  const space = cut.search(/\s\S*$/);
  return `${(space > previewChars * 0.8 ? cut.slice(0, space) : cut).trimEnd()}…`;
}

/**
 * One message as plain text (React escapes it: no HTML from the model ever reaches the DOM). An answer
 * from the user's documents lists its sources underneath; each [n] in the text jumps to its source.
 */
export const MessageView = memo(function MessageView({ message, live, last }: Props) {
  const isUser = message.role === 'user';
  const waiting = live && message.text.length === 0;
  const citations = isUser ? [] : (message.citations ?? []);
  const [highlighted, setHighlighted] = useState<number | null>(null);
  const [expanded, setExpanded] = useState(false);
  // Never while it streams: the reader follows the reply as it grows.
  const collapsible = !live && message.text.length > collapseOver;
  const shown = collapsible && !expanded ? preview(message.text) : message.text;
  const textId = `message-text-${message.id}`;
  const trimmed = message.stats?.trimmedMessages ?? 0;

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
          message.text && (
            <div id={textId} className={`message-text${live ? ' message-text-live' : ''}`}>
              {textWithMarkers(shown, citations, onMarker)}
            </div>
          )
        )}
        {collapsible && (
          <button type="button" className="message-more" aria-expanded={expanded} aria-controls={textId} onClick={() => setExpanded(!expanded)}>
            {expanded ? 'Show less' : 'Show more'}
          </button>
        )}
        {message.status === 'cancelled' && <span className="tag">Stopped</span>}
        {message.status === 'interrupted' && <span className="tag">Interrupted</span>}
        {message.status === 'error' && (
          <div className="message-error">
            <CodeSpans text={message.error?.message ?? 'The reply failed.'} />
          </div>
        )}
        {!isUser && !live && <CutOffNote message={message} last={last} />}
        {citations.length > 0 && <Sources messageId={message.id} citations={citations} highlighted={highlighted} />}
        {!isUser && message.grounding && <p className="message-note">{groundingNotes[message.grounding]}</p>}
        {trimmed > 0 && (
          <p className="message-note">{plural(trimmed, 'earlier message', 'earlier messages')} did not fit the model's context and {trimmed === 1 ? 'was' : 'were'} left out of this reply.</p>
        )}
        {!isUser && message.stats && <ReplyStats messageId={message.id} stats={message.stats} hidden={live || message.status === 'streaming'} />}
      </div>
    </article>
  );
});
