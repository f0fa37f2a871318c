import { useEffect, useRef, useState, type KeyboardEvent } from 'react';
import type { Conversation, ConversationSearchHit } from '@assistant/core';
import { fullDate, shortDate } from '../conversationGroups';
import { useAssistant } from '../store';
import { Highlighted } from './Highlighted';
import { InlineConfirm, useInlineConfirm } from './InlineConfirm';

interface Props {
  conversation: Conversation;
  active: boolean;
  /** Now, for the date beside the title ("14:05", "Mon", "3 Mar"). */
  now: number;
  /** In search results: the matching message's words around the match. */
  snippet?: ConversationSearchHit['snippet'];
}

/**
 * One conversation: open it, rename it inline (Enter saves, Escape cancels) or delete it after an inline
 * confirmation. The full title shows on hover (titles are cut to the sidebar's width).
 */
export function ConversationItem({ conversation, active, now, snippet }: Props) {
  const openConversation = useAssistant((s) => s.openConversation);
  const renameConversation = useAssistant((s) => s.renameConversation);
  const deleteConversation = useAssistant((s) => s.deleteConversation);
  const [editing, setEditing] = useState(false);
  const [draft, setDraft] = useState(conversation.title);
  const renameButton = useRef<HTMLButtonElement>(null);
  const input = useRef<HTMLInputElement>(null);
  /** Set when an edit ends, so focus goes back to the Rename button rather than being lost. */
  const returnFocus = useRef(false);
  const { confirming, trigger, ask, keep } = useInlineConfirm();
  const title = conversation.title || 'Untitled';
  const dateId = `conversation-date-${conversation.id}`;
  const snippetId = `conversation-snippet-${conversation.id}`;
  const hasSnippet = snippet !== undefined && snippet.length > 0;

  useEffect(() => {
    if (editing) input.current?.select();
    else if (returnFocus.current) {
      returnFocus.current = false;
      renameButton.current?.focus();
    }
  }, [editing]);

  const startEditing = () => {
    setDraft(conversation.title);
    setEditing(true);
  };

  const finish = (save: boolean) => {
    if (!editing) return;
    returnFocus.current = true;
    setEditing(false);
    const next = draft.trim();
    if (save && next && next !== conversation.title) void renameConversation(conversation.id, next);
  };

  const onKeyDown = (event: KeyboardEvent<HTMLInputElement>) => {
    if (event.key === 'Enter') {
      event.preventDefault();
      finish(true);
    } else if (event.key === 'Escape') {
      // Handled here: the window-level Escape (stop the reply) must not also fire.
      event.preventDefault();
      event.stopPropagation();
      finish(false);
    }
  };

  return (
    <li className={`conversation${active ? ' conversation-active' : ''}${confirming ? ' conversation-confirming' : ''}`}>
      {editing ? (
        <input
          ref={input}
          className="conversation-rename"
          aria-label={`New title for "${title}"`}
          value={draft}
          maxLength={200}
          onChange={(event) => setDraft(event.target.value)}
          onKeyDown={onKeyDown}
          // Leaving the field without Enter is a cancel, so a stray click never saves a half-typed title.
          onBlur={() => finish(false)}
        />
      ) : (
        // Named by the title alone; the date (and a search snippet) describe it.
        <button
          type="button"
          className="conversation-open"
          title={title}
          aria-label={title}
          aria-current={active ? 'true' : undefined}
          aria-describedby={hasSnippet ? `${snippetId} ${dateId}` : dateId}
          onClick={() => void openConversation(conversation.id)}
        >
          <span className="conversation-name">{title}</span>
          {hasSnippet && (
            <span id={snippetId} className="conversation-snippet">
              <Highlighted pieces={snippet} />
            </span>
          )}
          <time id={dateId} className="conversation-date" dateTime={new Date(conversation.updatedAt).toISOString()} aria-label={fullDate(conversation.updatedAt)}>
            {shortDate(conversation.updatedAt, now)}
          </time>
        </button>
      )}
      {/* Hidden while renaming: the title box takes the whole row, and its actions would cover its end. */}
      {!editing && (
        <div className="conversation-actions">
          <button ref={renameButton} type="button" className="icon-button" aria-label={`Rename "${title}"`} title="Rename" onClick={startEditing}>
            <svg aria-hidden="true" viewBox="0 0 16 16" width="14" height="14">
              <path d="M11.5 2.5l2 2L6 12H4v-2z" fill="none" stroke="currentColor" strokeWidth="1.4" strokeLinejoin="round" />
            </svg>
          </button>
          <button ref={trigger} type="button" className="icon-button icon-button-danger" aria-label={`Delete "${title}"`} title="Delete" onClick={ask}>
            <svg aria-hidden="true" viewBox="0 0 16 16" width="14" height="14">
              <path d="M3 4.5h10M6.5 4.5V3h3v1.5M4.5 4.5l.7 8.5h5.6l.7-8.5" fill="none" stroke="currentColor" strokeWidth="1.4" strokeLinejoin="round" />
            </svg>
          </button>
        </div>
      )}
      {confirming && (
        <InlineConfirm label={`Delete "${title}"?`} question="Delete this conversation?" action="Delete" onConfirm={() => void deleteConversation(conversation.id)} onKeep={keep} />
      )}
    </li>
  );
}
