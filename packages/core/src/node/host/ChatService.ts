import { randomUUID } from 'node:crypto';
import { groundedPrompt } from '../../common/chat/groundedPrompt.js';
import { citationsFor, estimateTokens, packedSources, packPassages, type PackedPassage } from '../../common/chat/packPassages.js';
import type { ContractClient, HandlerContext, StreamHandlerContext } from '../../common/contract/defineContract.js';
import type { ChatItem, ChatResult } from '../../common/contract/hostContract.js';
import type { GenerateInput, GenerateResult, InferenceContract } from '../../common/contract/inferenceContract.js';
import type { Citation } from '../../common/contract/passageSchemas.js';
import type { Conversation, Message, MessageGrounding, MessageStats, ReplyStopReason } from '../../common/contract/schemas.js';
import { AssistantError, ErrorCode, type ErrorPayload, toErrorPayload } from '../../common/errors.js';
import { ReplyMeter } from '../../common/chat/ReplyMeter.js';
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

/** One finished chat turn as the audit log and the metrics hear of it. */
export interface ChatTurn {
  conversationId: string | null;
  userText: string;
  /** The reply as stored; empty when the turn failed. */
  reply: string;
  status: 'complete' | 'cancelled' | 'error';
  stopReason: ReplyStopReason | null;
  error: ErrorPayload | null;
  /** What the reply cost; null when the turn failed before it started. */
  stats: MessageStats | null;
}

/** How often a streaming reply's text so far is saved, so a host crash loses at most this much. */
const checkpointMs = 1000;

/** Replies that stopped at a limit, which the user may continue. */
const continuable: ReadonlySet<ReplyStopReason> = new Set(['maxTokens', 'timeLimit']);

export function titleFrom(text: string): string {
  const line = text.trim().split('\n')[0] ?? '';
  if (line.length <= 60) return line;
  const cut = line.slice(0, 60);
  return `${cut.slice(0, cut.lastIndexOf(' ') > 30 ? cut.lastIndexOf(' ') : 60)}…`;
}

type TurnContext = StreamHandlerContext<ChatItem> & HandlerContext;
type HistoryMessage = { role: 'user' | 'assistant'; text: string };

/** What a turn answers: a new question, or a reply cut off at a limit to continue. */
interface TurnPlan {
  existing: Conversation | null;
  history: HistoryMessage[];
  question: string;
  continuing: { user: Message; reply: Message } | null;
  meter: ReplyMeter;
}

/**
 * One chat turn: an optional grounding step (retrieval and the relevance gate, reads only), then the
 * request to the worker, which packs the passages by exact token count and evaluates the prompt once;
 * the user's message and the reply are stored meanwhile, and the reply is stored whatever happens, with
 * what it cost (ReplyMeter). Without a chat model the passages themselves are the answer (retrieval-only).
 */
export class ChatService {
  constructor(private readonly options: ChatServiceOptions) {}

  send(input: { conversationId?: string; text: string }, context: TurnContext): Promise<ChatResult> {
    return this.audited(input.conversationId ?? null, input.text, () => {
      const meter = new ReplyMeter(this.now);
      const existing = input.conversationId ? this.options.conversations.get(input.conversationId) : null;
      const history = existing ? this.historyOf(this.options.conversations.messages(existing.id)) : [];
      return this.turn({ existing, history, question: input.text, continuing: null, meter }, context);
    });
  }

  /** Continues the conversation's last reply where the reply-length or time limit cut it off. */
  continue(input: { conversationId: string; messageId: string }, context: TurnContext): Promise<ChatResult> {
    const { conversations } = this.options;
    const messages = conversations.messages(input.conversationId);
    const userIndex = messages.findLastIndex((message) => message.role === 'user');
    const user = messages[userIndex];
    return this.audited(input.conversationId, user?.text ?? '', () => {
      const meter = new ReplyMeter(this.now);
      const existing = conversations.get(input.conversationId);
      const reply = messages.at(-1);
      if (!reply || !user || reply.id !== input.messageId || reply.role !== 'assistant') {
        throw new AssistantError(ErrorCode.InvalidInput, 'messageId: only the last reply of a conversation can be continued.');
      }
      if (reply.status !== 'complete' || !reply.stats || !continuable.has(reply.stats.stopReason)) {
        throw new AssistantError(ErrorCode.InvalidInput, 'messageId: this reply was not cut off by the reply-length or time limit, so there is nothing to continue.');
      }
      return this.turn({ existing, history: this.historyOf(messages.slice(0, userIndex)), question: user.text, continuing: { user, reply }, meter }, context);
    });
  }

  private get now(): () => number {
    return this.options.now ?? (() => performance.now());
  }

  private async audited(conversationId: string | null, userText: string, turn: () => Promise<ChatResult>): Promise<ChatResult> {
    const { onDidFinishTurn } = this.options;
    try {
      const result = await turn();
      const status = result.stats.stopReason === 'cancelled' ? 'cancelled' : 'complete';
      onDidFinishTurn?.({ conversationId: result.message.conversationId, userText, reply: result.message.text, status, stopReason: result.stats.stopReason, error: null, stats: result.stats });
      return result;
    } catch (error) {
      const failed = error instanceof TurnFailed ? error : null;
      onDidFinishTurn?.({ conversationId, userText, reply: '', status: 'error', stopReason: failed ? 'error' : null, error: toErrorPayload(failed?.cause ?? error), stats: failed?.stats ?? null });
      throw failed?.cause ?? error;
    }
  }

  private async turn(plan: TurnPlan, context: TurnContext): Promise<ChatResult> {
    const { conversations, settings, chatModel, supervisor, documents } = this.options;
    const { existing, history, question, continuing, meter } = plan;
    const now = this.now;
    const current = settings.get();
    const { maxTokens, temperature, systemPrompt } = current;
    const remote = this.options.remote?.chatActive ? this.options.remote : null;

    const answersWithModel = !chatModel.setupNeeded || remote !== null;
    // A passage budget of 0 answers without passages (a retrieval-only answer is nothing but passages).
    const wantsPassages = current.passageBudget > 0 || !answersWithModel;
    // The grounding step only reads, so the request below still leaves before any SQLite write.
    const candidates = documents && current.useDocuments && wantsPassages && documents.state.ready > 0 ? await this.ground(documents, question, history, meter, context.signal) : null;
    const retrievalOnly = candidates !== null && !answersWithModel;
    // Known before the conversation is stored, so the worker can keep this conversation's context for the next turn.
    const conversationId = existing?.id ?? randomUUID();
    const request: GenerateInput = {
      systemPrompt,
      history,
      prompt: question,
      maxTokens,
      temperature,
      priority: 'user',
      cacheKey: `conversation:${conversationId}`,
      maxWallMs: current.maxReplySeconds * 1000,
      ...(continuing ? { continueReply: continuing.reply.text } : {}),
    };
    let citations: Citation[] = continuing?.reply.citations ?? [];
    let grounding: MessageGrounding | null = continuing?.reply.grounding ?? null;
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
      request.prompt = groundedPrompt(question, packedSources(candidates.passages, packed));
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

    const before = continuing?.reply.text ?? '';
    let text = before;
    let lastCheckpoint = now();
    let started = false;
    let assistant: Message | null = null;
    // Cancelled by the caller, or by us if storing the turn fails before it starts.
    const controller = new AbortController();
    const abort = () => controller.abort();
    context.signal.addEventListener('abort', abort, { once: true });
    const streamOptions = {
      signal: controller.signal,
      onItem: (item: { text: string; tokens: number; packed?: PackedPassage[]; passageTokens?: number }) => {
        if (item.packed) {
          const told = decide(item.packed);
          passageTokens = item.passageTokens ?? passageTokens;
          if (started) context.emit(told);
          else pending = told;
          return;
        }
        meter.text(item.text, item.tokens);
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
    // A continued reply's figures are its continuation's (what going on cost), but its length is the whole reply's.
    const earlierTokens = continuing?.reply.stats?.completionTokens ?? 0;
    const stats = (stopReason: ReplyStopReason, engine: GenerateResult | null = null) => {
      const measured = meter.finish({ stopReason, passages: citations.length, passageTokens: engine?.passageTokens ?? passageTokens, engine });
      return { ...measured, completionTokens: measured.completionTokens + earlierTokens };
    };

    try {
      let userMessage: Message;
      if (continuing) {
        userMessage = continuing.user;
        assistant = conversations.updateMessage(conversationId, continuing.reply.id, { text, status: 'streaming' });
      } else {
        if (!existing) conversations.create(titleFrom(question), conversationId);
        userMessage = conversations.appendMessage(conversationId, 'user', question);
        assistant = conversations.appendMessage(conversationId, 'assistant', '', 'streaming');
      }
      context.emit({ type: 'start', conversation: conversations.get(conversationId), userMessage, assistantMessage: assistant });
      started = true;
      if (pending) context.emit(pending);
      this.options.onConversationChanged(conversationId);

      if (!generation) {
        text = documents!.retrievalOnlyAnswer(question, citations);
        meter.text(text, 0);
        context.emit({ type: 'text', text });
        const done = stats('retrievalOnly');
        assistant = conversations.updateMessage(conversationId, assistant.id, { text, status: 'complete', citations, grounding, stats: done });
        return { message: assistant, stats: done };
      }
      const result = await generation;
      const done = stats(result.stopReason, result);
      assistant = conversations.updateMessage(conversationId, assistant.id, { text: before + result.text, status: result.stopReason === 'cancelled' ? 'cancelled' : 'complete', citations, grounding, stats: done });
      return { message: assistant, stats: done };
    } catch (error) {
      if (!started || !assistant) {
        controller.abort();
        throw error;
      }
      const payload = toErrorPayload(error);
      if (payload.code === ErrorCode.Cancelled) {
        const done = stats('cancelled');
        assistant = conversations.updateMessage(conversationId, assistant.id, { text, status: 'cancelled', citations, grounding, stats: done });
        return { message: assistant, stats: done };
      }
      this.options.logger.warn('chat turn failed', { conversationId, ...payload });
      const done = stats('error');
      conversations.updateMessage(conversationId, assistant.id, { text, status: 'error', error: payload, citations, grounding, stats: done });
      throw new TurnFailed(error, done);
    } finally {
      context.signal.removeEventListener('abort', abort);
      if (started) this.options.onConversationChanged(conversationId);
    }
  }

  /** Retrieval for the turn; if it fails (not cancelled), the question is answered without documents rather than not at all. */
  private async ground(documents: DocumentLibrary, question: string, history: HistoryMessage[], meter: ReplyMeter, signal: AbortSignal): Promise<GroundingCandidates | null> {
    meter.retrievalStart();
    try {
      return await documents.ground(question, { history, signal });
    } catch (error) {
      const payload = toErrorPayload(error);
      if (payload.code === ErrorCode.Cancelled || signal.aborted) throw error;
      this.options.logger.warn('retrieval failed; answering without documents', { ...payload });
      return null;
    } finally {
      meter.retrievalEnd();
    }
  }

  /** The conversation so far as the model sees it: empty replies (cancelled before a token) left out. */
  private historyOf(messages: readonly Message[]): HistoryMessage[] {
    return messages
      .filter((message) => message.text.length > 0)
      .map((message) => ({ role: message.role, text: message.text }));
  }
}

/** A turn that failed after it started: the error, with what the reply cost until then (for the audit log and metrics). */
class TurnFailed extends Error {
  constructor(
    override readonly cause: unknown,
    readonly stats: MessageStats,
  ) {
    super(toErrorPayload(cause).message);
  }
}
