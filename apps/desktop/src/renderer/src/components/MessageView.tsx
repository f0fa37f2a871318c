import { memo } from 'react';
import type { Message } from '@assistant/core';
import { plural } from '../format';

interface Props {
  message: Message;
  /** True for the reply being streamed right now. */
  live: boolean;
  trimmed: number | undefined;
}

/** One message as plain text (React escapes it: no HTML from the model ever reaches the DOM). */
export const MessageView = memo(function MessageView({ message, live, trimmed }: Props) {
  const isUser = message.role === 'user';
  const waiting = live && message.text.length === 0;
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
          message.text && <div className={`message-text${live ? ' message-text-live' : ''}`}>{message.text}</div>
        )}
        {message.status === 'cancelled' && <span className="tag">Stopped</span>}
        {message.status === 'interrupted' && <span className="tag">Interrupted</span>}
        {message.status === 'error' && <div className="message-error">{message.error?.message ?? 'The reply failed.'}</div>}
        {trimmed !== undefined && trimmed > 0 && (
          <p className="message-note">{plural(trimmed, 'earlier message', 'earlier messages')} did not fit the model's context and {trimmed === 1 ? 'was' : 'were'} left out of this reply.</p>
        )}
      </div>
    </article>
  );
});
