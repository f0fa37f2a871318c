import { cutOffNote, type Message } from '@assistant/core';
import { useAssistant } from '../store';

/**
 * Under a reply the reply-length or time limit cut off: says so, and offers Continue where the host can
 * go on with it (the conversation's last reply). Continue streams into the same message.
 */
export function CutOffNote({ message, last }: { message: Message; last: boolean }) {
  const continueReply = useAssistant((s) => s.continueReply);
  // One reply streams at a time (as with Send): Continue waits for the one running.
  const busy = useAssistant((s) => s.streaming !== null || s.client === null);
  const note = message.status === 'complete' ? cutOffNote(message.stats) : null;
  if (!note) return null;
  return (
    <p className="message-note reply-cut-off">
      <span>{note}</span>
      {last && (
        <button type="button" className="button button-small" disabled={busy} onClick={() => void continueReply(message.id)}>
          Continue
        </button>
      )}
    </p>
  );
}
