import { useEffect, useMemo, useRef, useState, type KeyboardEvent } from 'react';
import { groupByDay } from '../conversationGroups';
import { plural } from '../format';
import { useAssistant } from '../store';
import { ConversationItem } from './ConversationItem';
import { SidebarResizer } from './SidebarResizer';
import { useConversationSearch } from './useConversationSearch';
import { useSidebarLayout } from './useSidebarLayout';
import './sidebar.css';

const sidebarSearchId = 'conversation-search';

/**
 * The conversations: New conversation, a search box (titles and message text), and the list grouped by
 * day with a date on each row. Resizable by its right edge and collapsible to a rail, both remembered.
 */
export function Sidebar() {
  const layout = useSidebarLayout();
  const newConversation = useAssistant((s) => s.newConversation);
  const expandButton = useRef<HTMLButtonElement>(null);
  const collapseButton = useRef<HTMLButtonElement>(null);
  /** Set by the user's own toggle, so focus follows it (not on load). */
  const toggled = useRef(false);

  useEffect(() => {
    if (!toggled.current) return;
    toggled.current = false;
    (layout.collapsed ? expandButton : collapseButton).current?.focus();
  }, [layout.collapsed]);

  const toggle = (collapsed: boolean) => {
    toggled.current = true;
    layout.setCollapsed(collapsed);
  };

  if (layout.collapsed) {
    return (
      <aside id="sidebar" className="sidebar sidebar-collapsed" aria-label="Conversations">
        <button ref={expandButton} type="button" className="icon-button" aria-label="Show conversations" aria-expanded="false" aria-controls="sidebar" title="Show conversations" onClick={() => toggle(false)}>
          <SidebarIcon />
        </button>
        <button type="button" className="icon-button" aria-label="New conversation" title="New conversation" aria-keyshortcuts="Control+N Meta+N" onClick={newConversation}>
          <PlusIcon />
        </button>
      </aside>
    );
  }

  return (
    <aside id="sidebar" className="sidebar">
      <div className="sidebar-top">
        <div className="brand" aria-hidden="true">
          <span className="brand-mark" />
          Assistant
        </div>
        <button ref={collapseButton} type="button" className="icon-button" aria-label="Hide conversations" aria-expanded="true" aria-controls="sidebar" title="Hide conversations" onClick={() => toggle(true)}>
          <SidebarIcon />
        </button>
      </div>
      <button type="button" className="button button-primary new-conversation" onClick={newConversation} aria-keyshortcuts="Control+N Meta+N">
        {/* An SVG, not a glyph: fullwidth plus is missing from many system fonts. */}
        <PlusIcon /> New conversation
      </button>
      <ConversationList />
      <SidebarResizer width={layout.width} minWidth={layout.minWidth} maxWidth={layout.maxWidth} onPreview={layout.previewWidth} onCommit={layout.commitWidth} />
    </aside>
  );
}

/** The search box, and either the search results or every conversation grouped by day. */
function ConversationList() {
  const conversations = useAssistant((s) => s.conversations);
  const activeId = useAssistant((s) => s.activeConversationId);
  const connected = useAssistant((s) => s.connection === 'connected');
  const openConversation = useAssistant((s) => s.openConversation);
  const [query, setQuery] = useState('');
  const search = useConversationSearch(query);
  const now = useNow();
  const groups = useMemo(() => groupByDay(conversations, now), [conversations, now]);

  const onKeyDown = (event: KeyboardEvent<HTMLInputElement>) => {
    if (event.key === 'Escape' && query) {
      // Clears the search; the window-level Escape (stop the reply) must not also fire.
      event.preventDefault();
      event.stopPropagation();
      setQuery('');
    } else if (event.key === 'Enter' && !search.searching && search.hits?.[0]) {
      // Only once the hits are for this query: the previous query's first hit is another conversation.
      event.preventDefault();
      void openConversation(search.hits[0].conversation.id);
    }
  };

  return (
    <>
      <div className="sidebar-search" role="search">
        <input
          id={sidebarSearchId}
          type="search"
          className="setting-input sidebar-search-input"
          placeholder="Search conversations"
          aria-label="Search conversations"
          aria-describedby="conversation-search-status"
          value={query}
          maxLength={1000}
          onChange={(event) => setQuery(event.target.value)}
          onKeyDown={onKeyDown}
        />
      </div>
      <nav aria-label="Conversations" className="conversation-nav">
        {/* Live, but not role="status": the page's first status is the model's (the header). */}
        <p id="conversation-search-status" className="visually-hidden" aria-live="polite">
          {search.hits && !search.searching ? (search.error ?? `${plural(search.hits.length, 'conversation')} found`) : ''}
        </p>
        {search.hits !== null ? (
          <SearchResults query={query.trim()} state={search} activeId={activeId} now={now} />
        ) : conversations.length === 0 ? (
          <p className="sidebar-empty">{connected ? 'No conversations yet.' : 'Not connected.'}</p>
        ) : (
          groups.map((group) => (
            <section key={group.label} className="conversation-group" aria-label={group.label}>
              <h2 className="sidebar-heading">{group.label}</h2>
              <ul className="conversation-list">
                {group.conversations.map((conversation) => (
                  <ConversationItem key={conversation.id} conversation={conversation} active={conversation.id === activeId} now={now} />
                ))}
              </ul>
            </section>
          ))
        )}
      </nav>
    </>
  );
}

function SearchResults({ query, state, activeId, now }: { query: string; state: ReturnType<typeof useConversationSearch>; activeId: string | null; now: number }) {
  const hits = state.hits ?? [];
  return (
    <section className="conversation-group" aria-label="Search results">
      <h2 className="sidebar-heading">{state.searching && hits.length === 0 ? 'Searching…' : plural(hits.length, 'result')}</h2>
      {state.error && <p className="sidebar-empty">{state.error}</p>}
      {!state.error && !state.searching && hits.length === 0 && <p className="sidebar-empty">No conversation mentions “{query}”.</p>}
      <ul className="conversation-list">
        {hits.map((hit) => (
          <ConversationItem key={hit.conversation.id} conversation={hit.conversation} active={hit.conversation.id === activeId} now={now} snippet={hit.snippet} />
        ))}
      </ul>
    </section>
  );
}

/** The current time, refreshed every minute, so "Today" becomes "Yesterday" at midnight. */
function useNow(): number {
  const [now, setNow] = useState(() => Date.now());
  useEffect(() => {
    const timer = setInterval(() => setNow(Date.now()), 60_000);
    return () => clearInterval(timer);
  }, []);
  return now;
}

function PlusIcon() {
  return (
    <svg aria-hidden="true" viewBox="0 0 16 16" width="14" height="14">
      <path d="M8 3v10M3 8h10" fill="none" stroke="currentColor" strokeWidth="1.8" strokeLinecap="round" />
    </svg>
  );
}

function SidebarIcon() {
  return (
    <svg aria-hidden="true" viewBox="0 0 16 16" width="16" height="16">
      <rect x="2" y="3" width="12" height="10" rx="1.5" fill="none" stroke="currentColor" strokeWidth="1.3" />
      <path d="M6 3v10" fill="none" stroke="currentColor" strokeWidth="1.3" />
    </svg>
  );
}
