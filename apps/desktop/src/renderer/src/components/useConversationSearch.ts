import { useEffect, useState } from 'react';
import { toErrorPayload, type ConversationSearchHit } from '@assistant/core';
import { useAssistant } from '../store';

/** Typing pauses this long before the host is asked: one search per pause, not per key. */
const debounceMs = 150;
/** The contract's most: a sidebar holds that many rows without trouble. */
const limit = 200;

export interface SearchState {
  /** null while there is no query (the sidebar shows the full list). */
  hits: ConversationSearchHit[] | null;
  /** The hits are for an earlier query (or none yet): an answer is on its way. */
  searching: boolean;
  error: string | null;
}

/**
 * Searches the conversations (titles and message text, on the host) as the user types. Searches again
 * when the list changes (a reply arrived, a rename, a delete), so the results never show a stale row.
 */
export function useConversationSearch(query: string): SearchState {
  const client = useAssistant((s) => s.client);
  const conversations = useAssistant((s) => s.conversations);
  const [answer, setAnswer] = useState<{ query: string; hits: ConversationSearchHit[]; error: string | null } | null>(null);
  const trimmed = query.trim();

  useEffect(() => {
    if (!trimmed || !client) return;
    let current = true;
    const timer = setTimeout(() => {
      client.call('conversations.search', { query: trimmed, limit }).then(
        (hits) => current && setAnswer({ query: trimmed, hits, error: null }),
        (error: unknown) => current && setAnswer({ query: trimmed, hits: [], error: toErrorPayload(error).message }),
      );
    }, debounceMs);
    return () => {
      current = false;
      clearTimeout(timer);
    };
  }, [trimmed, client, conversations]);

  if (!trimmed) return { hits: null, searching: false, error: null };
  // Nothing can answer while disconnected: say so rather than "Searching…" until a reconnect.
  if (!client) return { hits: [], searching: false, error: 'Not connected.' };
  return { hits: answer?.hits ?? [], searching: answer?.query !== trimmed, error: answer?.query === trimmed ? answer.error : null };
}
