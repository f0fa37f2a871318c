import { useEffect, useRef, useState, type KeyboardEvent } from 'react';
import type { Conversation } from '@assistant/core';
import { useAssistant } from '../store';

interface Props {
  conversation: Conversation;
  active: boolean;
}

/** One conversation: open it, rename it inline (Enter saves, Escape cancels) or delete it after confirming. */
export function ConversationItem({ conversation, active }: Props) {
  const openConversation = useAssistant((s) => s.openConversation);
  const renameConversation = useAssistant((s) => s.renameConversation);
  const deleteConversation = useAssistant((s) => s.deleteConversation);
  const [editing, setEditing] = useState(false);
  const [draft, setDraft] = useState(conversation.title);
  const renameButton = useRef<HTMLButtonElement>(null);
  const input = useRef<HTMLInputElement>(null);
  /** Set when an edit ends, so focus goes back to the Rename button rather than being lost. */
  const returnFocus = useRef(false);
  const title = conversation.title || 'Untitled';

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

  const onDelete = () => {
    if (window.confirm(`Delete "${title}"? This cannot be undone.`)) void deleteConversation(conversation.id);
  };

  return (
    <li className={`conversation${active ? ' conversation-active' : ''}`}>
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
        <button type="button" className="conversation-open" aria-current={active ? 'true' : undefined} onClick={() => void openConversation(conversation.id)}>
          {title}
        </button>
      )}
      <div className="conversation-actions">
        <button ref={renameButton} type="button" className="icon-button" aria-label={`Rename "${title}"`} title="Rename" onClick={startEditing} disabled={editing}>
          <svg aria-hidden="true" viewBox="0 0 16 16" width="14" height="14">
            <path d="M11.5 2.5l2 2L6 12H4v-2z" fill="none" stroke="currentColor" strokeWidth="1.4" strokeLinejoin="round" />
          </svg>
        </button>
        <button type="button" className="icon-button icon-button-danger" aria-label={`Delete "${title}"`} title="Delete" onClick={onDelete}>
          <svg aria-hidden="true" viewBox="0 0 16 16" width="14" height="14">
            <path d="M3 4.5h10M6.5 4.5V3h3v1.5M4.5 4.5l.7 8.5h5.6l.7-8.5" fill="none" stroke="currentColor" strokeWidth="1.4" strokeLinejoin="round" />
          </svg>
        </button>
      </div>
    </li>
  );
}
