import { create } from 'zustand';
import {
  ErrorCode,
  toErrorPayload,
  type AppState,
  type Citation,
  type ContractClient,
  type Conversation,
  type HostContract,
  type Message,
} from '@assistant/core';
import { createDocumentsSlice, type DocumentsSlice } from './documents';
import { createModelsSlice, type ModelsSlice } from './models';
import { createOutsideChangesSlice, type OutsideChangesSlice } from './outsideChanges';
import { newestFirst, patchMessage, placeholder, upsertConversation } from './messageUpdates';
import { createVoiceSlice, type VoiceSlice } from './voice/voiceSlice';
import { streamReply } from './streamReply';
import { createSettingsSlice, type SettingsSlice } from './settings/settingsSlice';
import { createTrustSlice, type TrustSlice } from './settings/trustSlice';

export type HostClient = ContractClient<HostContract>;

/** `refused`: serve mode no longer accepts this page's token (an old link, or the host restarted); retrying cannot help. */
export type ConnectionStatus = 'connecting' | 'connected' | 'disconnected' | 'no-token' | 'refused';

export interface StreamingState {
  /** null until the host has created the conversation of a first message. */
  conversationId: string | null;
  /** A local placeholder id until the host's 'start' item names the stored message. */
  assistantMessageId: string;
  controller: AbortController;
  /** The reply so far, kept here so it survives switching conversations mid-reply. */
  text: string;
  /** The passages the reply may cite, from the 'sources' item (sent before the text). */
  citations: Citation[];
}

export interface AssistantState extends ModelsSlice, DocumentsSlice, VoiceSlice, SettingsSlice, TrustSlice, OutsideChangesSlice {
  client: HostClient | null;
  connection: ConnectionStatus;
  appState: AppState | null;
  conversations: Conversation[];
  activeConversationId: string | null;
  messages: Message[];
  loadingConversation: boolean;
  streaming: StreamingState | null;
  error: { id: number; message: string } | null;
  /** Bumped to ask the composer to take focus (new conversation, after sending). */
  composerFocus: number;

  attach(client: HostClient): Promise<void>;
  detach(status: ConnectionStatus): void;
  setAppState(state: AppState): void;
  refreshState(): Promise<void>;
  refreshConversations(): Promise<void>;
  onConversationChanged(conversationId: string | null): Promise<void>;
  openConversation(id: string): Promise<void>;
  newConversation(): void;
  renameConversation(id: string, title: string): Promise<void>;
  deleteConversation(id: string): Promise<void>;
  send(text: string): Promise<void>;
  /** Goes on with the active conversation's last reply, which the reply-length or time limit cut off. */
  continueReply(messageId: string): Promise<void>;
  stop(): void;
  retryWorker(): Promise<void>;
  reportError(error: unknown): void;
  dismissError(): void;
}

let errorSeq = 0;
let localSeq = 0;
/** Guards against a slow conversations.get landing after the user opened another conversation. */
let openSeq = 0;

export const useAssistant = create<AssistantState>()((set, get, store) => {
  /** Runs a call if connected; failures go to the alert region instead of breaking the UI. */
  async function withClient<T>(run: (client: HostClient) => Promise<T>): Promise<T | undefined> {
    const client = get().client;
    if (!client) return undefined;
    try {
      return await run(client);
    } catch (error) {
      get().reportError(error);
      return undefined;
    }
  }

  /** Loads a conversation's history, re-applying the live reply if it is the one streaming. */
  async function loadMessages(id: string): Promise<void> {
    const seq = ++openSeq;
    const client = get().client;
    if (!client) return;
    try {
      const result = await client.call('conversations.get', { id });
      if (seq !== openSeq || get().activeConversationId !== id) return;
      const streaming = get().streaming;
      const messages =
        streaming?.conversationId === id
          ? patchMessage(result.messages, streaming.assistantMessageId, { text: streaming.text, status: 'streaming', citations: streaming.citations })
          : result.messages;
      set((s) => ({ messages, loadingConversation: false, conversations: upsertConversation(s.conversations, result.conversation) }));
    } catch (error) {
      if (seq !== openSeq) return;
      set({ loadingConversation: false });
      if (toErrorPayload(error).code === ErrorCode.NotFound) {
        set((s) => ({ activeConversationId: null, messages: [], conversations: s.conversations.filter((c) => c.id !== id) }));
      }
      get().reportError(error);
    }
  }

  return {
    client: null,
    connection: 'connecting',
    appState: null,
    conversations: [],
    activeConversationId: null,
    messages: [],
    loadingConversation: false,
    streaming: null,
    error: null,
    composerFocus: 0,
    ...createModelsSlice(set, get),
    ...createDocumentsSlice(set, get),
    ...createVoiceSlice(set, get, store.subscribe),
    ...createSettingsSlice(set, get),
    ...createTrustSlice(set, get),
    ...createOutsideChangesSlice(set, get),

    async attach(client) {
      set({ client, connection: 'connected' });
      // After a reconnect everything may have changed while we were away: re-read it all.
      const active = get().activeConversationId;
      await Promise.all([get().refreshState(), get().refreshConversations(), get().loadDocuments(), get().loadVoice(), get().loadTrust(), get().settingsOpen ? get().loadSettings() : Promise.resolve(), active ? loadMessages(active) : Promise.resolve()]);
    },

    detach(status) {
      set({ client: null, connection: status });
    },

    setAppState(appState) {
      set({ appState });
      if (appState.setupNeeded && !get().models) void get().loadModels();
    },

    async refreshState() {
      const state = await withClient((client) => client.call('app.getState', {}));
      if (state) get().setAppState(state);
    },

    async refreshConversations() {
      const list = await withClient((client) => client.call('conversations.list', {}));
      if (list) set({ conversations: newestFirst(list) });
    },

    async onConversationChanged(conversationId) {
      await get().refreshConversations();
      const { activeConversationId, streaming, conversations } = get();
      if (!conversationId || conversationId !== activeConversationId) return;
      if (!conversations.some((c) => c.id === conversationId)) {
        // Deleted elsewhere (another window or tab).
        set({ activeConversationId: null, messages: [] });
        return;
      }
      // Our own stream keeps this conversation current; other clients' changes need a reload.
      if (streaming?.conversationId !== conversationId) await loadMessages(conversationId);
    },

    async openConversation(id) {
      if (id === get().activeConversationId && !get().loadingConversation) return;
      set({ activeConversationId: id, messages: [], loadingConversation: true });
      await loadMessages(id);
    },

    newConversation() {
      // The host creates the conversation with the first message, titled after it: no empty entries.
      openSeq++;
      set((s) => ({ activeConversationId: null, messages: [], loadingConversation: false, composerFocus: s.composerFocus + 1 }));
    },

    async renameConversation(id, title) {
      const trimmed = title.trim();
      if (!trimmed) return;
      const conversation = await withClient((client) => client.call('conversations.rename', { id, title: trimmed }));
      if (conversation) set((s) => ({ conversations: s.conversations.map((c) => (c.id === id ? conversation : c)) }));
    },

    async deleteConversation(id) {
      if (get().streaming?.conversationId === id) get().stop();
      const result = await withClient((client) => client.call('conversations.delete', { id }));
      if (!result) return;
      set((s) => ({
        conversations: s.conversations.filter((c) => c.id !== id),
        ...(s.activeConversationId === id ? { activeConversationId: null, messages: [] } : {}),
        // Its row (and the focus on it) is gone: continue where typing happens.
        composerFocus: s.composerFocus + 1,
      }));
    },

    async send(rawText) {
      const text = rawText.trim();
      const { client, streaming, activeConversationId } = get();
      if (!client || streaming || !text) return;
      const seq = ++localSeq;
      const userId = `local-user-${seq}`;
      const assistantId = `local-assistant-${seq}`;
      set((s) => ({ messages: [...s.messages, placeholder(userId, activeConversationId, 'user', text, 'complete'), placeholder(assistantId, activeConversationId, 'assistant', '', 'streaming')] }));
      const input = activeConversationId ? { conversationId: activeConversationId, text } : { text };
      await streamReply(set, get, { conversationId: activeConversationId, userId, assistantId, text: '', citations: [], continuing: null, run: (options) => client.stream('chat.send', input, options) });
    },

    async continueReply(messageId) {
      const { client, streaming, activeConversationId: conversationId, messages } = get();
      const reply = messages.find((message) => message.id === messageId);
      if (!client || streaming || !conversationId || !reply) return;
      const userId = messages.findLast((message) => message.role === 'user')?.id ?? '';
      set((s) => ({ messages: patchMessage(s.messages, messageId, { status: 'streaming' }) }));
      const input = { conversationId, messageId };
      await streamReply(set, get, { conversationId, userId, assistantId: messageId, text: reply.text, citations: reply.citations, continuing: reply, run: (options) => client.stream('chat.continue', input, options) });
    },

    stop() {
      // The host answers the abort by finishing the stream with stopReason 'cancelled' and the partial text.
      get().streaming?.controller.abort();
    },

    async retryWorker() {
      const state = await withClient((client) => client.call('workers.retry', { name: 'inference' }));
      if (state) get().setAppState(state);
    },

    reportError(error) {
      const { code, message } = toErrorPayload(error);
      // A closed connection has its own banner; a cancel is what the user asked for.
      if (code === ErrorCode.TransportClosed || code === ErrorCode.Cancelled) return;
      set({ error: { id: ++errorSeq, message } });
    },

    dismissError() {
      set({ error: null });
    },
  };
});
