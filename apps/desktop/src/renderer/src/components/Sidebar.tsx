import { useAssistant } from '../store';
import { ConversationItem } from './ConversationItem';

/** The conversation list, newest first, and the New conversation button. */
export function Sidebar() {
  const conversations = useAssistant((s) => s.conversations);
  const activeId = useAssistant((s) => s.activeConversationId);
  const newConversation = useAssistant((s) => s.newConversation);
  const connected = useAssistant((s) => s.connection === 'connected');

  return (
    <aside className="sidebar">
      <div className="brand" aria-hidden="true">
        <span className="brand-mark" />
        Assistant
      </div>
      <button type="button" className="button button-primary new-conversation" onClick={newConversation} aria-keyshortcuts="Control+N Meta+N">
        {/* An SVG, not a glyph: fullwidth plus is missing from many system fonts. */}
        <svg aria-hidden="true" viewBox="0 0 16 16" width="14" height="14">
          <path d="M8 3v10M3 8h10" fill="none" stroke="currentColor" strokeWidth="1.8" strokeLinecap="round" />
        </svg>{' '}
        New conversation
      </button>
      <nav aria-label="Conversations" className="conversation-nav">
        <h2 className="sidebar-heading">Conversations</h2>
        {conversations.length === 0 ? (
          <p className="sidebar-empty">{connected ? 'No conversations yet.' : 'Not connected.'}</p>
        ) : (
          <ul className="conversation-list">
            {conversations.map((conversation) => (
              <ConversationItem key={conversation.id} conversation={conversation} active={conversation.id === activeId} />
            ))}
          </ul>
        )}
      </nav>
    </aside>
  );
}
