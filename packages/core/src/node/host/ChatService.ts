import type { ContractClient, HandlerContext, StreamHandlerContext } from '../../common/contract/defineContract.js';
import type { ChatItem, ChatResult } from '../../common/contract/hostContract.js';
import type { GenerateInput, GenerateResult, InferenceContract } from '../../common/contract/inferenceContract.js';
import type { Message } from '../../common/contract/schemas.js';
import { ErrorCode, type ErrorPayload, toErrorPayload } from '../../common/errors.js';
import type { ConversationStore } from '../conversations/ConversationStore.js';
import type { Logger } from '../logger.js';
import type { SettingsStore } from '../settings/SettingsStore.js';
import type { WorkerSupervisor } from '../workers/WorkerSupervisor.js';
import type { ChatModelService } from './ChatModelService.js';
import type { DocumentLibrary } from './DocumentLibrary.js';

export interface ChatServiceOptions {
  conversations: ConversationStore;
  settings: SettingsStore;
  chatModel: ChatModelService;
  supervisor: WorkerSupervisor<InferenceContract>;
  documents: DocumentLibrary | null;
  logger: Logger;
  onConversationChanged(conversationId: string): void;
  /** A turn ended (answered, stopped or failed): the audit log records it. */
  onDidFinishTurn?(turn: ChatTurn): void;
  now?: () => number;
  /** A remote backend (api/RemoteBackend) that takes the turn when settings route chat to it. */
  remote?: RemoteChat | null;
}

/** Generation on a remote server; on failure it runs `local` itself, after a notice item saying why. */
export interface RemoteChat {
  readonly chatActive: boolean;
  generate(input: GenerateInput, options: { signal: AbortSignal; onItem(item: { text: string; tokens: number }): void }, local: () => Promise<GenerateResult>): Promise<GenerateResult>;
}

/** One finished chat turn as the audit log hears of it. */
export interface ChatTurn {
  conversationId: string | null;
  userText: string;
  /** The reply as stored; empty when the turn failed. */
  reply: string;
  status: 'complete' | 'cancelled' | 'error';
  stopReason: ChatResult['stopReason'] | null;
  error: ErrorPayload | null;
}

/** How often a streaming reply's text so far is saved, so a host crash loses at most this much. */
const checkpointMs = 1000;

/** Share of the context window that cited passages may take; the rest is history, question and reply. */
const passageContextShare = 0.5;
/** A conservative characters-per-token ratio for English text, to budget passages before tokenizing. */
const charsPerToken = 2.5;

export function titleFrom(text: string): string {
  const line = text.trim().split('\n')[0] ?? '';
  if (line.length <= 60) return line;
  const cut = line.slice(0, 60);
  return `${cut.slice(0, cut.lastIndexOf(' ') > 30 ? cut.lastIndexOf(' ') : 60)}…`;
}

/** One chat turn: store the user's message, stream the reply from the worker, store the reply whatever happens. */
export class ChatService {
  constructor(private readonly options: ChatServiceOptions) {}

  async send(input: { conversationId?: string; text: string }, context: StreamHandlerContext<ChatItem> & HandlerContext): Promise<ChatResult> {
    const { documents, settings, onDidFinishTurn } = this.options;
    const turn = documents && settings.get().useDocuments && documents.state.ready > 0 ? this.sendGrounded(input, context, documents) : this.sendPlain(input, context);
    if (!onDidFinishTurn) return turn;
    try {
      const result = await turn;
      const status = result.stopReason === 'cancelled' ? 'cancelled' : 'complete';
      onDidFinishTurn({ conversationId: result.message.conversationId, userText: input.text, reply: result.message.text, status, stopReason: result.stopReason, error: null });
      return result;
    } catch (error) {
      onDidFinishTurn({ conversationId: input.conversationId ?? null, userText: input.text, reply: '', status: 'error', stopReason: null, error: toErrorPayload(error) });
      throw error;
    }
  }

  private async sendPlain(input: { conversationId?: string; text: string }, context: StreamHandlerContext<ChatItem> & HandlerContext): Promise<ChatResult> {
    const { conversations, settings, chatModel, supervisor } = this.options;
    const now = this.options.now ?? Date.now;
    const existing = input.conversationId ? conversations.get(input.conversationId) : null;
    const history = existing ? this.historyOf(existing.id) : [];

    // Ask the worker first when the model is ready: the synchronous SQLite writes below then overlap its
    // prompt evaluation instead of adding to time to first token. No reply can be handled before they end.
    const { maxTokens, temperature, systemPrompt } = settings.get();
    let text = '';
    let lastCheckpoint = now();
    let started = false;
    let assistant: Message | null = null;
    let conversationId = existing?.id ?? '';
    // Cancelled by the caller, or by us if storing the turn fails before it starts.
    const controller = new AbortController();
    const abort = () => controller.abort();
    context.signal.addEventListener('abort', abort, { once: true });
    const request = { systemPrompt, history, prompt: input.text, maxTokens, temperature };
    const streamOptions = {
      signal: controller.signal,
      onItem: (item: { text: string }) => {
        text += item.text;
        context.emit({ type: 'text', text: item.text });
        if (assistant && now() - lastCheckpoint >= checkpointMs) {
          lastCheckpoint = now();
          conversations.updateMessage(conversationId, assistant.id, { text, status: 'streaming' });
        }
      },
    };
    const generate = (client: ContractClient<InferenceContract>) => supervisor.run(() => client.stream('chat.generate', request, streamOptions));
    // The fast path is synchronous so the request leaves before any SQLite work below.
    const local = () => {
      const ready = chatModel.readyClient();
      return ready ? generate(ready) : chatModel.ensureLoaded(controller.signal).then(generate);
    };
    const remote = this.options.remote;
    const generation = remote?.chatActive ? remote.generate(request, streamOptions, local) : local();
    generation.catch(() => {});

    try {
      const conversation = existing ?? conversations.create(titleFrom(input.text));
      conversationId = conversation.id;
      const userMessage = conversations.appendMessage(conversationId, 'user', input.text);
      assistant = conversations.appendMessage(conversationId, 'assistant', '', 'streaming');
      context.emit({ type: 'start', conversation: conversations.get(conversationId), userMessage, assistantMessage: assistant });
      started = true;
      this.options.onConversationChanged(conversationId);

      const result = await generation;
      assistant = conversations.updateMessage(conversationId, assistant.id, { text: result.text, status: result.stopReason === 'cancelled' ? 'cancelled' : 'complete' });
      return { message: assistant, stopReason: result.stopReason, completionTokens: result.completionTokens, trimmedMessages: result.trimmedMessages };
    } catch (error) {
      if (!started || !assistant) {
        controller.abort();
        throw error;
      }
      const payload = toErrorPayload(error);
      if (payload.code === ErrorCode.Cancelled) {
        assistant = conversations.updateMessage(conversationId, assistant.id, { text, status: 'cancelled' });
        return { message: assistant, stopReason: 'cancelled', completionTokens: 0, trimmedMessages: 0 };
      }
      this.options.logger.warn('chat turn failed', { conversationId, ...payload });
      conversations.updateMessage(conversationId, assistant.id, { text, status: 'error', error: payload });
      throw error;
    } finally {
      context.signal.removeEventListener('abort', abort);
      if (started) this.options.onConversationChanged(conversationId);
    }
  }

  /**
   * A turn over the user's documents: retrieve passages first, send them as numbered sources, and ground
   * the prompt in them. Without a chat model the passages themselves are the answer (retrieval-only).
   */
  private async sendGrounded(input: { conversationId?: string; text: string }, context: StreamHandlerContext<ChatItem> & HandlerContext, documents: DocumentLibrary): Promise<ChatResult> {
    const { conversations, settings, chatModel, supervisor } = this.options;
    const now = this.options.now ?? Date.now;
    const existing = input.conversationId ? conversations.get(input.conversationId) : null;
    const history = existing ? this.historyOf(existing.id) : [];
    const { maxTokens, temperature, systemPrompt, contextSize } = settings.get();
    const conversation = existing ?? conversations.create(titleFrom(input.text));
    const conversationId = conversation.id;
    const userMessage = conversations.appendMessage(conversationId, 'user', input.text);
    let assistant = conversations.appendMessage(conversationId, 'assistant', '', 'streaming');
    context.emit({ type: 'start', conversation: conversations.get(conversationId), userMessage, assistantMessage: assistant });
    this.options.onConversationChanged(conversationId);
    let text = '';
    let citations: Awaited<ReturnType<DocumentLibrary['retrieve']>> = [];
    try {
      const window = chatModel.state.contextSize ?? (contextSize || 4096);
      const passageTokens = Math.max(256, Math.min(window * passageContextShare, window - Math.min(maxTokens, window / 2) - 256));
      citations = await documents.retrieve(input.text, { signal: context.signal, maxChars: Math.floor(passageTokens * charsPerToken) });
      if (citations.length > 0) context.emit({ type: 'sources', citations });

      const remote = this.options.remote?.chatActive ? this.options.remote : null;
      if (chatModel.setupNeeded && !remote) {
        text = documents.retrievalOnlyAnswer(input.text, citations);
        context.emit({ type: 'text', text });
        assistant = conversations.updateMessage(conversationId, assistant.id, { text, status: 'complete', citations });
        return { message: assistant, stopReason: 'retrievalOnly', completionTokens: 0, trimmedMessages: 0 };
      }

      let lastCheckpoint = now();
      const generate = (prompt: string) => {
        const request = { systemPrompt, history, prompt, maxTokens, temperature };
        const streamOptions = {
          signal: context.signal,
          onItem: (item: { text: string }) => {
            text += item.text;
            context.emit({ type: 'text', text: item.text });
            if (now() - lastCheckpoint >= checkpointMs) {
              lastCheckpoint = now();
              conversations.updateMessage(conversationId, assistant.id, { text, status: 'streaming', citations });
            }
          },
        };
        const local = () => chatModel.ensureLoaded(context.signal).then((client) => supervisor.run(() => client.stream('chat.generate', request, streamOptions)));
        return remote ? remote.generate(request, streamOptions, local) : local();
      };
      let result: Awaited<ReturnType<typeof generate>>;
      for (;;) {
        try {
          result = await generate(citations.length > 0 ? documents.groundedPrompt(input.text, citations) : input.text);
          break;
        } catch (error) {
          // The passage budget is estimated in characters; tokenizers differ. Too long means one source
          // fewer (the least relevant), until the question fits on its own.
          if (toErrorPayload(error).code !== ErrorCode.PromptTooLong || citations.length === 0 || text.length > 0) throw error;
          citations = citations.slice(0, -1);
          context.emit({ type: 'sources', citations });
        }
      }
      assistant = conversations.updateMessage(conversationId, assistant.id, { text: result.text, status: result.stopReason === 'cancelled' ? 'cancelled' : 'complete', citations });
      return { message: assistant, stopReason: result.stopReason, completionTokens: result.completionTokens, trimmedMessages: result.trimmedMessages };
    } catch (error) {
      const payload = toErrorPayload(error);
      if (payload.code === ErrorCode.Cancelled) {
        assistant = conversations.updateMessage(conversationId, assistant.id, { text, status: 'cancelled', citations });
        return { message: assistant, stopReason: 'cancelled', completionTokens: 0, trimmedMessages: 0 };
      }
      this.options.logger.warn('chat turn failed', { conversationId, ...payload });
      conversations.updateMessage(conversationId, assistant.id, { text, status: 'error', error: payload, citations });
      throw error;
    } finally {
      this.options.onConversationChanged(conversationId);
    }
  }

  /** The conversation so far as the model sees it: empty replies (cancelled before a token) left out. */
  private historyOf(conversationId: string): { role: 'user' | 'assistant'; text: string }[] {
    return this.options.conversations
      .messages(conversationId)
      .filter((message) => message.text.length > 0)
      .map((message) => ({ role: message.role, text: message.text }));
  }
}
