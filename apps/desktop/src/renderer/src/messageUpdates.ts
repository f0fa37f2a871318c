import type { Conversation, Message } from '@assistant/core';

/** Pure helpers for the store's message and conversation lists, kept apart so the store reads as actions. */

export function newestFirst(conversations: readonly Conversation[]): Conversation[] {
  return [...conversations].sort((a, b) => b.updatedAt - a.updatedAt);
}

export function upsertConversation(conversations: readonly Conversation[], conversation: Conversation): Conversation[] {
  return newestFirst([conversation, ...conversations.filter((item) => item.id !== conversation.id)]);
}

/**
 * Swaps the locally drawn placeholders for the host's stored messages. When the placeholders are gone
 * (the user left and came back before the reply started), the real messages are appended unless a
 * reload already brought them.
 */
export function replacePlaceholders(messages: readonly Message[], swaps: ReadonlyArray<readonly [string, Message]>): Message[] {
  let next = [...messages];
  for (const [placeholderId, real] of swaps) {
    const index = next.findIndex((message) => message.id === placeholderId);
    if (index >= 0) next[index] = real;
    else if (!next.some((message) => message.id === real.id)) next = [...next, real];
  }
  return next;
}

export function patchMessage(messages: readonly Message[], id: string, patch: Partial<Message>): Message[] {
  return messages.map((message) => (message.id === id ? { ...message, ...patch } : message));
}

/** A message drawn at once, before the host has stored anything, so sending feels immediate. */
export function placeholder(id: string, conversationId: string | null, role: Message['role'], text: string, status: Message['status']): Message {
  return { id, conversationId: conversationId ?? 'pending', role, text, status, error: null, citations: [], grounding: null, stats: null, createdAt: Date.now() };
}
