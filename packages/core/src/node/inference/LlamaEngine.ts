import fs from 'node:fs/promises';
import { type ChatHistoryItem, type Llama, LlamaChatSession, LlamaLogLevel, type LlamaContext, type LlamaModel, getLlama, readGgufFileInfo } from 'node-llama-cpp';
import { fitHistory, replyRoom } from '../../common/chat/fitHistory.js';
import { groundedPrompt } from '../../common/chat/groundedPrompt.js';
import { packPassages, packedSources, packedText } from '../../common/chat/packPassages.js';
import { TextBatcher } from '../../common/chat/TextBatcher.js';
import type { GenerateResult, LoadedModel } from '../../common/contract/inferenceContract.js';
import type { generateInputSchema, generateItemSchema, loadModelInputSchema } from '../../common/contract/inferenceContract.js';
import { AssistantError, ErrorCode, cancelledError } from '../../common/errors.js';
import { chooseThreads } from './chooseThreads.js';
import { RankingEngine } from './RankingEngine.js';
import { SerialQueue } from '../../common/SerialQueue.js';
import type { z } from 'zod';

type LoadInput = z.output<typeof loadModelInputSchema>;
type GenerateInput = z.output<typeof generateInputSchema>;
type GenerateItem = z.output<typeof generateItemSchema>;

interface Loaded {
  key: string;
  model: LlamaModel;
  context: LlamaContext;
  session: LlamaChatSession;
  info: LoadedModel;
}

export interface LlamaEngineOptions {
  /** Interval at which streamed text is coalesced. */
  batchIntervalMs?: number;
}

/** node-llama-cpp behind the inference worker's contract: one model, one context, one chat at a time. */
export class LlamaEngine {
  private llama: Promise<Llama> | undefined;
  /** llama.cpp's latest error line: its load errors are far more specific than the exception. */
  private lastNativeError: string | null = null;
  private loaded: Loaded | undefined;
  private readonly queue = new SerialQueue();
  private readonly ranking = new RankingEngine(() => this.getLlama());
  /** Prompts evaluated and their input tokens since the worker started (tests count them per turn). */
  private readonly counters = { evaluations: 0, evaluatedTokens: 0 };

  constructor(private readonly options: LlamaEngineOptions = {}) {}

  get stats(): { evaluations: number; evaluatedTokens: number } {
    return { ...this.counters };
  }

  load(input: LoadInput, signal?: AbortSignal): Promise<LoadedModel> {
    return this.queue.run(() => this.loadNow(input, signal), signal);
  }

  unload(): Promise<{ unloaded: boolean }> {
    return this.queue.run(async () => {
      const had = this.loaded !== undefined;
      await this.disposeLoaded();
      // The reranker goes with the chat model: unloading frees the worker's memory.
      await this.ranking.dispose();
      return { unloaded: had };
    });
  }

  generate(input: GenerateInput, emit: (item: GenerateItem) => void, signal?: AbortSignal): Promise<GenerateResult> {
    return this.queue.run(() => this.generateNow(input, emit, signal), signal);
  }

  private async loadNow(input: LoadInput, signal?: AbortSignal): Promise<LoadedModel> {
    const stat = await fs.stat(input.modelPath).catch(() => null);
    if (!stat?.isFile()) throw new AssistantError(ErrorCode.ModelNotFound, `The model file ${input.modelPath} does not exist.`);
    const key = JSON.stringify([input.modelPath, stat.size, stat.mtimeMs, input.threads, input.contextSize, input.maxAutoContextSize]);
    if (this.loaded?.key === key) return this.loaded.info;
    await this.disposeLoaded();

    // Reading the header first turns a random or truncated file into a clear message, not a native error.
    try {
      await readGgufFileInfo(input.modelPath, { signal });
    } catch (error) {
      if (signal?.aborted) throw cancelledError();
      throw new AssistantError(ErrorCode.ModelInvalid, `${input.modelPath} is not a valid GGUF model (${firstLine(error)}).`, { cause: error });
    }
    const llama = await this.getLlama();
    const threads = chooseThreads({ requested: input.threads, cores: llama.cpuMathCores, modelSizeBytes: stat.size });
    let model: LlamaModel | undefined;
    this.lastNativeError = null;
    try {
      model = await llama.loadModel({ modelPath: input.modelPath, loadSignal: signal });
      const contextSize = input.contextSize > 0 ? input.contextSize : Math.min(model.trainContextSize, input.maxAutoContextSize);
      const context = await model.createContext({ contextSize, threads, createSignal: signal });
      const session = new LlamaChatSession({ contextSequence: context.getSequence(), autoDisposeSequence: false });
      const info: LoadedModel = { modelPath: input.modelPath, threads, contextSize: context.contextSize, trainContextSize: model.trainContextSize, sizeBytes: stat.size };
      this.loaded = { key, model, context, session, info };
      return info;
    } catch (error) {
      await model?.dispose().catch(() => {});
      if (signal?.aborted) throw cancelledError();
      // llama.cpp's log lines reach JS asynchronously; let the ones about this failure arrive first.
      await new Promise((resolve) => setTimeout(resolve, 50));
      const reason = this.lastNativeError ?? firstLine(error);
      throw new AssistantError(ErrorCode.ModelLoadFailed, `Could not load ${input.modelPath}: ${reason.replace(/\.$/, '')}.`, { cause: error });
    }
  }

  private async generateNow(input: GenerateInput, emit: (item: GenerateItem) => void, signal?: AbortSignal): Promise<GenerateResult> {
    const loaded = this.loaded;
    if (!loaded) throw new AssistantError(ErrorCode.NoChatModel, 'No chat model is loaded.');
    const { model, session, context } = loaded;
    let prompt = input.prompt;
    let passageTokens = 0;
    if (input.grounding) {
      const grounded = await this.ground(input, input.grounding, loaded, signal);
      prompt = grounded.prompt;
      passageTokens = grounded.tokens;
      // Before any evaluation: the host sends its one `sources` event for exactly these passages.
      emit({ text: '', tokens: 0, packed: grounded.packed, passageTokens: grounded.tokens });
    }
    const turn = { ...input, prompt };
    // A token covers at least one UTF-8 byte, so byte lengths bound token counts from above: when the
    // bound leaves room for the whole reply, nothing needs tokenizing before the first token.
    const byBytes = fitsByBytes(turn, context.contextSize);
    const measure = byBytes ? (text: string) => Buffer.byteLength(text) : (text: string) => model.tokenize(text).length;
    const systemTokens = measure(input.systemPrompt);
    const promptTokens = measure(prompt);
    const historyTokens = input.history.map((message) => measure(message.text));
    const start = fitHistory({ contextSize: context.contextSize, replyReserve: input.maxTokens, systemTokens, promptTokens, historyTokens, perMessageOverhead });
    const kept = input.history.slice(start);
    // A kept history must start with the user's turn for chat templates that alternate strictly.
    const firstUser = kept.findIndex((message) => message.role === 'user');
    const history = firstUser < 0 ? [] : kept.slice(firstUser);
    const trimmedMessages = input.history.length - history.length;
    // The reply ends where the context does: node-llama-cpp's context shift stalls for seconds on small
    // contexts, and the history was already fitted before the turn.
    const used = systemTokens + promptTokens + historyTokens.slice(input.history.length - history.length).reduce((sum, n) => sum + n + perMessageOverhead, 0) + 2 * perMessageOverhead;
    const maxTokens = byBytes ? input.maxTokens : Math.max(1, Math.min(input.maxTokens, context.contextSize - used - templateMargin));

    const chatHistory: ChatHistoryItem[] = [{ type: 'system', text: input.systemPrompt }];
    for (const message of history) {
      chatHistory.push(message.role === 'user' ? { type: 'user', text: message.text } : { type: 'model', response: [message.text] });
    }
    session.setChatHistory(chatHistory);

    let completionTokens = 0;
    let text = '';
    const batcher = new TextBatcher((chunk, tokens) => emit({ text: chunk, tokens }), this.options.batchIntervalMs);
    const meter = session.sequence.tokenMeter;
    const inputBefore = meter.usedInputTokens;
    this.counters.evaluations++;
    const counts = () => {
      const evaluatedTokens = meter.usedInputTokens - inputBefore;
      this.counters.evaluatedTokens += evaluatedTokens;
      return { promptTokens: model.tokenize(prompt).length, completionTokens, trimmedMessages, passageTokens, evaluatedTokens, cachedTokens: 0, ttftMs: null, generationMs: 0, queuedMs: 0 };
    };
    try {
      const result = await session.promptWithMeta(prompt, {
        maxTokens,
        temperature: input.temperature,
        seed: input.seed,
        signal,
        stopOnAbortSignal: true,
        onToken: (tokens) => {
          completionTokens += tokens.length;
        },
        onTextChunk: (chunk) => {
          text += chunk;
          batcher.push(chunk);
        },
      });
      batcher.flush();
      const stopReason = result.stopReason === 'abort' ? 'cancelled' : result.stopReason === 'maxTokens' ? 'maxTokens' : 'eos';
      return { text: result.responseText, stopReason, ...counts() };
    } catch (error) {
      batcher.flush();
      if (signal?.aborted) return { text, stopReason: 'cancelled', ...counts() };
      throw new AssistantError(ErrorCode.GenerationFailed, `Generation failed: ${firstLine(error)}.`, { cause: error });
    }
  }

  /**
   * Reranks the candidates (when a reranker is given), then packs what fits by exact token count: the
   * passage budget, capped by what the context leaves after the system prompt, the question with its
   * instructions and a reply. Never more than the context holds, so the prompt is evaluated once.
   */
  private async ground(input: GenerateInput, grounding: NonNullable<GenerateInput['grounding']>, loaded: Loaded, signal?: AbortSignal) {
    const { passages, budgetTokens, reranker } = grounding;
    const count = (text: string) => loaded.model.tokenize(text).length;
    const instructions = count(groundedPrompt(input.prompt, [{ label: '', text: '' }]));
    const room = loaded.context.contextSize - count(input.systemPrompt) - instructions - replyRoom(input.maxTokens, loaded.context.contextSize) - 2 * perMessageOverhead - templateMargin;
    const budget = Math.max(0, Math.min(budgetTokens, room));
    let ranked = grounding.ranked;
    // Reranking only matters when something can be read.
    if (reranker && ranked.length > 1 && budget > 0) {
      try {
        const sentences = ranked.map(([p, s]) => packedText(passages[p]!, { sentences: [s] }));
        const scores = await this.ranking.rank(reranker, grounding.rerankQuery ?? input.prompt, sentences, signal);
        ranked = ranked.map((pair, i) => ({ pair, score: scores[i]!, i })).sort((a, b) => b.score - a.score || a.i - b.i).map(({ pair }) => pair);
      } catch (error) {
        if (signal?.aborted) throw cancelledError();
        // The retrieval order stands: a broken reranker costs ranking quality, never the answer.
        process.stderr.write(`${JSON.stringify({ level: 'warn', message: 'reranking failed; keeping the retrieval order', error: firstLine(error) })}\n`);
      }
    }
    const { packed, tokens } = packPassages(passages, ranked, budget, count);
    return { prompt: groundedPrompt(input.prompt, packedSources(passages, packed)), tokens, packed };
  }

  /** The process's one llama.cpp binding, shared with the embedding engine. */
  getLlama(): Promise<Llama> {
    // Never build from source at run time: offline machines cannot, and users should not wait for it.
    const verbose = process.env.ASSISTANT_LOG_LEVEL === 'debug';
    this.llama ??= getLlama({
      build: 'never',
      progressLogs: false,
      logLevel: verbose ? LlamaLogLevel.debug : LlamaLogLevel.warn,
      logger: (level, message) => {
        if (level === LlamaLogLevel.error || level === LlamaLogLevel.fatal) {
          const line = message.trim().replace(/^[\w]+: (error loading model: )?/, '');
          if (line && !line.startsWith('failed to load model')) this.lastNativeError = line;
        }
        if (verbose) process.stderr.write(`[llama.cpp] ${message.trimEnd()}\n`);
      },
    });
    return this.llama;
  }

  private async disposeLoaded(): Promise<void> {
    const loaded = this.loaded;
    this.loaded = undefined;
    if (!loaded) return;
    loaded.session.dispose({ disposeSequence: true });
    await loaded.context.dispose();
    await loaded.model.dispose();
  }
}

/** Template tokens a message costs beyond its text (role markers), an upper bound across chat templates. */
const perMessageOverhead = 8;

/** Tokens a chat template adds around the whole conversation (BOS, system block, generation prefix). */
const templateMargin = 64;

function fitsByBytes(input: Pick<GenerateInput, 'systemPrompt' | 'prompt' | 'history' | 'maxTokens'>, contextSize: number): boolean {
  let bytes = Buffer.byteLength(input.systemPrompt) + Buffer.byteLength(input.prompt) + 2 * perMessageOverhead;
  for (const message of input.history) bytes += Buffer.byteLength(message.text) + perMessageOverhead;
  return bytes + templateMargin + input.maxTokens <= contextSize;
}

function firstLine(error: unknown): string {
  const message = error instanceof Error ? error.message : String(error);
  return (message.split('\n')[0] ?? '').replace(/\.$/, '') || 'unknown error';
}
