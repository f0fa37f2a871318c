import { groundedPrompt } from '../../common/chat/groundedPrompt.js';
import { citationsFor, estimateTokens, packedSources, packPassages, type PackedPassage } from '../../common/chat/packPassages.js';
import type { ContractClient, HandlerContext, StreamHandlerContext } from '../../common/contract/defineContract.js';
import type { ChatItem, ChatResult } from '../../common/contract/hostContract.js';
import type { GenerateInput, GenerateResult, InferenceContract } from '../../common/contract/inferenceContract.js';
import type { Citation } from '../../common/contract/passageSchemas.js';
import type { Message, MessageGrounding } from '../../common/contract/schemas.js';
import { ErrorCode, type ErrorPayload, toErrorPayload } from '../../common/errors.js';
import type { ConversationStore } from '../conversations/ConversationStore.js';
import type { Logger } from '../logger.js';
import type { SettingsStore } from '../settings/SettingsStore.js';
import type { WorkerSupervisor } from '../workers/WorkerSupervisor.js';
import type { ChatModelService } from './ChatModelService.js';
import type { DocumentLibrary, GroundingCandidates } from './DocumentLibrary.js';

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
  /** The installed reranker GGUF, or null. */
  reranker?: () => string | null;
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

export function titleFrom(text: string): string {
  const line = text.trim().split('\n')[0] ?? '';
  if (line.length <= 60) return line;
  const cut = line.slice(0, 60);
  return `${cut.slice(0, cut.lastIndexOf(' ') > 30 ? cut.lastIndexOf(' ') : 60)}…`;
}

type TurnContext = StreamHandlerContext<ChatItem> & HandlerContext;

/**
 * One chat turn: an optional grounding step (retrieval and the relevance gate, reads only), then the
 * request to the worker, which packs the passages by exact token count and evaluates the prompt once;
 * the user's message and the reply are stored meanwhile, and the reply is stored whatever happens.
 * Without a chat model the passages themselves are the answer (retrieval-only).
 */
export class ChatService {
  constructor(private readonly options: ChatServiceOptions) {}

  async send(input: { conversationId?: string; text: string }, context: TurnContext): Promise<ChatResult> {
    const { onDidFinishTurn } = this.options;
    const turn = this.turn(input, context);
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

  private async turn(input: { conversationId?: string; text: string }, context: TurnContext): Promise<ChatResult> {
    const { conversations, settings, chatModel, supervisor, documents } = this.options;
    const now = this.options.now ?? Date.now;
    const existing = input.conversationId ? conversations.get(input.conversationId) : null;
    const history = existing ? this.historyOf(existing.id) : [];
    const current = settings.get();
    const { maxTokens, temperature, systemPrompt } = current;
    const remote = this.options.remote?.chatActive ? this.options.remote : null;

    const answersWithModel = !chatModel.setupNeeded || remote !== null;
    // A passage budget of 0 answers without passages (a retrieval-only answer is nothing but passages).
    const wantsPassages = current.passageBudget > 0 || !answersWithModel;
    // The grounding step only reads, so the request below still leaves before any SQLite write.
    const candidates = documents && current.useDocuments && wantsPassages && documents.state.ready > 0 ? await this.ground(documents, input.text, history, context.signal) : null;
    const retrievalOnly = candidates !== null && !answersWithModel;
    const request: GenerateInput = { systemPrompt, history, prompt: input.text, maxTokens, temperature };
    let citations: Citation[] = [];
    let grounding: MessageGrounding | null = null;
    let passageTokens = 0;
    // Told once, right after `start` (or when the worker has packed, if that comes later): the passages read, or why there are none.
    let pending: ChatItem | null = null;
    const decide = (packed: readonly PackedPassage[]): ChatItem => {
      citations = candidates ? citationsFor(candidates.passages, packed) : [];
      grounding = citations.length > 0 ? null : 'noRoom';
      return citations.length > 0 ? { type: 'sources', citations } : { type: 'grounding', grounding: 'noRoom' };
    };
    if (candidates && candidates.ranked.length === 0) {
      grounding = 'noMatch';
      pending = { type: 'grounding', grounding: 'noMatch' };
    } else if (candidates && (retrievalOnly || remote)) {
      // No local tokenizer to pack with (no chat model, or a remote one): an estimate of the same budget.
      const { packed, tokens } = packPassages(candidates.passages, candidates.ranked, current.passageBudget, estimateTokens);
      pending = decide(packed);
      passageTokens = tokens;
      request.prompt = groundedPrompt(input.text, packedSources(candidates.passages, packed));
    } else if (candidates) {
      const reranker = current.rerank ? (this.options.reranker?.() ?? null) : null;
      request.grounding = {
        passages: candidates.passages.map((passage) => ({ label: passage.label, text: passage.text, sentences: passage.sentences })),
        ranked: candidates.ranked,
        budgetTokens: current.passageBudget,
        rerankQuery: candidates.query,
        reranker: reranker ? { modelPath: reranker, threads: current.embeddingThreads } : null,
      };
    }

    let text = '';
    let lastCheckpoint = now();
    let started = false;
    let assistant: Message | null = null;
    let conversationId = existing?.id ?? '';
    // Cancelled by the caller, or by us if storing the turn fails before it starts.
    const controller = new AbortController();
    const abort = () => controller.abort();
    context.signal.addEventListener('abort', abort, { once: true });
    const streamOptions = {
      signal: controller.signal,
      onItem: (item: { text: string; packed?: PackedPassage[]; passageTokens?: number }) => {
        if (item.packed) {
          const told = decide(item.packed);
          passageTokens = item.passageTokens ?? passageTokens;
          if (started) context.emit(told);
          else pending = told;
          return;
        }
        text += item.text;
        context.emit({ type: 'text', text: item.text });
        if (assistant && now() - lastCheckpoint >= checkpointMs) {
          lastCheckpoint = now();
          conversations.updateMessage(conversationId, assistant.id, { text, status: 'streaming', citations, grounding });
        }
      },
    };
    const generate = (client: ContractClient<InferenceContract>) => supervisor.run(() => client.stream('chat.generate', request, streamOptions));
    // The fast path is synchronous so the request leaves before any SQLite work below.
    const local = () => {
      const ready = chatModel.readyClient();
      return ready ? generate(ready) : chatModel.ensureLoaded(controller.signal).then(generate);
    };
    const generation = retrievalOnly ? null : remote ? remote.generate(request, streamOptions, local) : local();
    generation?.catch(() => {});

    try {
      const conversation = existing ?? conversations.create(titleFrom(input.text));
      conversationId = conversation.id;
      const userMessage = conversations.appendMessage(conversationId, 'user', input.text);
      assistant = conversations.appendMessage(conversationId, 'assistant', '', 'streaming');
      context.emit({ type: 'start', conversation: conversations.get(conversationId), userMessage, assistantMessage: assistant });
      started = true;
      if (pending) context.emit(pending);
      this.options.onConversationChanged(conversationId);

      if (!generation) {
        text = documents!.retrievalOnlyAnswer(input.text, citations);
        context.emit({ type: 'text', text });
        assistant = conversations.updateMessage(conversationId, assistant.id, { text, status: 'complete', citations, grounding });
        return { message: assistant, stopReason: 'retrievalOnly', completionTokens: 0, trimmedMessages: 0, passageTokens };
      }
      const result = await generation;
      assistant = conversations.updateMessage(conversationId, assistant.id, { text: result.text, status: result.stopReason === 'cancelled' ? 'cancelled' : 'complete', citations, grounding });
      return { message: assistant, stopReason: result.stopReason, completionTokens: result.completionTokens, trimmedMessages: result.trimmedMessages, passageTokens: result.passageTokens ?? passageTokens };
    } catch (error) {
      if (!started || !assistant) {
        controller.abort();
        throw error;
      }
      const payload = toErrorPayload(error);
      if (payload.code === ErrorCode.Cancelled) {
        assistant = conversations.updateMessage(conversationId, assistant.id, { text, status: 'cancelled', citations, grounding });
        return { message: assistant, stopReason: 'cancelled', completionTokens: 0, trimmedMessages: 0, passageTokens };
      }
      this.options.logger.warn('chat turn failed', { conversationId, ...payload });
      conversations.updateMessage(conversationId, assistant.id, { text, status: 'error', error: payload, citations, grounding });
      throw error;
    } finally {
      context.signal.removeEventListener('abort', abort);
      if (started) this.options.onConversationChanged(conversationId);
    }
  }

  /** Retrieval for the turn; if it fails (not cancelled), the question is answered without documents rather than not at all. */
  private async ground(documents: DocumentLibrary, question: string, history: { role: 'user' | 'assistant'; text: string }[], signal: AbortSignal): Promise<GroundingCandidates | null> {
    try {
      return await documents.ground(question, { history, signal });
    } catch (error) {
      const payload = toErrorPayload(error);
      if (payload.code === ErrorCode.Cancelled || signal.aborted) throw error;
      this.options.logger.warn('retrieval failed; answering without documents', { ...payload });
      return null;
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
