import { type ChatItem, type ChatResult, type Citation, ErrorCode, type Message, toErrorPayload } from '@assistant/core';
import type { StoreApi } from 'zustand';
import { patchMessage, replacePlaceholders, upsertConversation } from './messageUpdates';
import type { AssistantState } from './store';

type SetState = StoreApi<AssistantState>['setState'];
type GetState = StoreApi<AssistantState>['getState'];

/** A reply to stream into the transcript: a new turn's, or a cut-off one continued. */
export interface ReplyTurn {
  conversationId: string | null;
  /** The messages the host's 'start' item stands for: local placeholders, or the stored ones when continuing. */
  userId: string;
  assistantId: string;
  /** The reply so far (empty for a new turn) and its sources. */
  text: string;
  citations: Citation[];
  /** Set when continuing: how the reply was before, put back if the host refuses before it starts. */
  continuing: Message | null;
  run(options: { signal: AbortSignal; onItem(item: ChatItem): void }): Promise<ChatResult>;
}

/** The one path that streams a reply into the transcript, for a new turn and for a continued one alike. */
export async function streamReply(set: SetState, get: GetState, turn: ReplyTurn): Promise<void> {
  const { userId, assistantId } = turn;
  const controller = new AbortController();
  let started = false;
  set((s) => ({
    streaming: { conversationId: turn.conversationId, assistantMessageId: assistantId, controller, text: turn.text, citations: turn.citations },
    composerFocus: s.composerFocus + 1,
  }));

  // Spoken when voice started the turn or replies are read aloud; it hears the text as it streams.
  const spoken = get().startVoiceReply();
  const onItem = (item: ChatItem) => {
    if (item.type === 'text') spoken?.push(item.text);
    if (item.type === 'start') started = true;
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
    const result = await turn.run({ signal: controller.signal, onItem });
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
      };
    });
  } catch (error) {
    const payload = toErrorPayload(error);
    const live = get().streaming;
    const messageId = live?.controller === controller ? live.assistantMessageId : assistantId;
    const conversationId = live?.conversationId ?? turn.conversationId;
    const visible = get().activeConversationId === conversationId;
    const cancelled = payload.code === ErrorCode.Cancelled;
    spoken?.end(cancelled);
    // A continue the host refused changed nothing: the reply stays as it was, and the alert says why.
    const patch: Partial<Message> = turn.continuing && !started ? { status: turn.continuing.status } : cancelled ? { status: 'cancelled' } : { status: 'error', error: payload, text: live?.text ?? '' };
    set((s) => ({
      streaming: s.streaming?.controller === controller ? null : s.streaming,
      messages: patchMessage(s.messages, messageId, patch),
    }));
    // If the failed reply is not on screen, say so in the alert region instead.
    // (A failed reply on screen is reloaded as stored, with its figures, when the host says the conversation changed.)
    if ((!visible || (turn.continuing && !started)) && !cancelled) get().reportError(error);
  }
}
