import { useEffect, useRef, useState } from 'react';
import { describeReplyStats, type MessageStats } from '@assistant/core';
import './replyStats.css';

interface Props {
  messageId: string;
  stats: MessageStats;
  /** While the reply streams on (Continue) its figures are stale: hidden, but kept open for when it ends. */
  hidden: boolean;
}

/**
 * What a reply cost, on demand under it: a quiet "Details" toggle that opens a line or two of figures
 * (first token, speed, prompt tokens evaluated and reused, passages, search time, total, why it ended).
 */
export function ReplyStats({ messageId, stats, hidden }: Props) {
  const [open, setOpen] = useState(false);
  const list = useRef<HTMLUListElement>(null);
  const listId = `reply-stats-${messageId}`;

  // Opened under the last reply, the figures may land below the fold: bring them into view.
  useEffect(() => {
    if (open) list.current?.scrollIntoView({ block: 'nearest' });
  }, [open]);

  if (hidden) return null;
  return (
    <div className="reply-stats">
      <button type="button" className="reply-stats-toggle" aria-expanded={open} aria-controls={open ? listId : undefined} onClick={() => setOpen(!open)}>
        <span className="reply-stats-chevron" aria-hidden="true">
          {open ? '▾' : '▸'}
        </span>
        Details
      </button>
      {open && (
        <ul ref={list} id={listId} className="reply-stats-list" aria-label="Reply details">
          {describeReplyStats(stats).map(({ label, value }) => (
            <li key={label}>
              <span className="reply-stats-label">{label}</span> {value}
            </li>
          ))}
        </ul>
      )}
    </div>
  );
}
