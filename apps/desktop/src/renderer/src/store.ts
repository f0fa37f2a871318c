import { create } from 'zustand';
import {
  ErrorCode,
  toErrorPayload,
  type AppState,
  type ChatItem,
  type Citation,
  type ContractClient,
  type Conversation,
  type HostContract,
  type Message,
} from '@assistant/core';
import { createDocumentsSlice, type DocumentsSlice } from './documents';
import { createModelsSlice, type ModelsSlice } from './models';
import { createOutsideChangesSlice, type OutsideChangesSlice } from './outsideChanges';
import { newestFirst, patchMessage, placeholder, replacePlaceholders, upsertConversation } from './messageUpdates';
import { createVoiceSlice, type VoiceSlice } from './voice/voiceSlice';
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
  /** Assistant message id -> how many older messages were left out of that reply. */
  trimmed: Record<string, number>;
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
    trimmed: {},
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
      const controller = new AbortController();
      set((s) => ({
        messages: [...s.messages, placeholder(userId, activeConversationId, 'user', text, 'complete'), placeholder(assistantId, activeConversationId, 'assistant', '', 'streaming')],
        streaming: { conversationId: activeConversationId, assistantMessageId: assistantId, controller, text: '', citations: [] },
        composerFocus: s.composerFocus + 1,
      }));

      // Spoken when voice started the turn or replies are read aloud; it hears the text as it streams.
      const spoken = get().startVoiceReply();
      const onItem = (item: ChatItem) => {
        if (item.type === 'text') spoken?.push(item.text);
        applyItem(item);
      };
      const applyItem = (item: ChatItem) =>
        set((s) => {
          const live = s.streaming;
          if (!live || live.controller !== controller) return {};
          const visible = s.activeConversationId === live.conversationId;
          if (item.type === 'text') {
            const liveText = live.text + item.text;
            return {
              streaming: { ...live, text: liveText },
              messages: visible ? patchMessage(s.messages, live.assistantMessageId, { text: liveText }) : s.messages,
            };
          }
          if (item.type === 'sources') {
            return {
              streaming: { ...live, citations: item.citations },
              messages: visible ? patchMessage(s.messages, live.assistantMessageId, { citations: item.citations }) : s.messages,
            };
          }
          if (item.type === 'grounding') return { messages: visible ? patchMessage(s.messages, live.assistantMessageId, { grounding: item.grounding }) : s.messages };
          const assistantMessage = { ...item.assistantMessage, text: live.text, citations: live.citations.length > 0 ? live.citations : item.assistantMessage.citations };
          const swaps = [[userId, item.userMessage], [assistantId, assistantMessage]] as const;
          return {
            streaming: { ...live, conversationId: item.conversation.id, assistantMessageId: item.assistantMessage.id },
            // A first message creates the conversation: select it if the user is still looking at the draft.
            activeConversationId: visible ? item.conversation.id : s.activeConversationId,
            messages: visible ? replacePlaceholders(s.messages, swaps) : s.messages,
            conversations: upsertConversation(s.conversations, item.conversation),
          };
        });

      try {
        const input = activeConversationId ? { conversationId: activeConversationId, text } : { text };
        const result = await client.stream('chat.send', input, { signal: controller.signal, onItem });
        // Stop ends the stream with the partial reply: the sentences queued for speech stop with it.
        spoken?.end(result.stats.stopReason === 'cancelled');
        set((s) => {
          const live = s.streaming;
          const visible = s.activeConversationId === result.message.conversationId;
          // The stored message carries its citations; the streamed ones stand in if it came without.
          const message = result.message.citations.length === 0 && live?.controller === controller && live.citations.length > 0 ? { ...result.message, citations: live.citations } : result.message;
          return {
            streaming: live?.controller === controller ? null : live,
            messages: visible ? replacePlaceholders(s.messages, [[live?.assistantMessageId ?? assistantId, message]]) : s.messages,
            trimmed: result.stats.trimmedMessages > 0 ? { ...s.trimmed, [result.message.id]: result.stats.trimmedMessages } : s.trimmed,
          };
        });
      } catch (error) {
        const payload = toErrorPayload(error);
        const live = get().streaming;
        const messageId = live?.controller === controller ? live.assistantMessageId : assistantId;
        const visible = get().activeConversationId === (live?.conversationId ?? activeConversationId);
        const cancelled = payload.code === ErrorCode.Cancelled;
        spoken?.end(cancelled);
        set((s) => ({
          streaming: s.streaming?.controller === controller ? null : s.streaming,
          messages: patchMessage(s.messages, messageId, cancelled ? { status: 'cancelled' } : { status: 'error', error: payload, text: live?.text ?? '' }),
        }));
        // If the failed reply is not on screen, say so in the alert region instead.
        if (!visible && !cancelled) get().reportError(error);
      }
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
