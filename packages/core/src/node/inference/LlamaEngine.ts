import fs from 'node:fs/promises';
import { type Llama, LlamaChat, LlamaLogLevel, type LlamaContext, type LlamaContextSequence, type LlamaModel, getLlama, readGgufFileInfo } from 'node-llama-cpp';
import { replyRoom } from '../../common/chat/fitHistory.js';
import { groundedPrompt } from '../../common/chat/groundedPrompt.js';
import { packPassages, packedSources, packedText } from '../../common/chat/packPassages.js';
import type { GenerateResult, LoadedModel } from '../../common/contract/inferenceContract.js';
import type { generateInputSchema, generateItemSchema, loadModelInputSchema } from '../../common/contract/inferenceContract.js';
import { AssistantError, ErrorCode, cancelledError } from '../../common/errors.js';
import { chooseThreads } from './chooseThreads.js';
import { RankingEngine } from './RankingEngine.js';
import { Emitter } from '../../common/disposable.js';
import { SequencePool, type SequenceLease } from '../../common/scheduling/SequencePool.js';
import { SharedExclusiveLock } from '../../common/scheduling/SharedExclusiveLock.js';
import { strictPriorityBatching } from '../../common/scheduling/strictPriorityBatching.js';
import { firstLine, perMessageOverhead, replyOnSequence, templateMargin } from './replyOnSequence.js';
import type { z } from 'zod';

type LoadInput = z.output<typeof loadModelInputSchema>;
type GenerateInput = z.output<typeof generateInputSchema>;
type GenerateItem = z.output<typeof generateItemSchema>;

interface PooledSequence {
  sequence: LlamaContextSequence;
  chat: LlamaChat;
}

interface Loaded {
  key: string;
  model: LlamaModel;
  context: LlamaContext;
  pool: SequencePool<PooledSequence>;
  info: LoadedModel;
}

export interface LlamaEngineOptions {
  /** Interval at which streamed text is coalesced. */
  batchIntervalMs?: number;
}

/**
 * node-llama-cpp behind the inference worker's contract: one chat model with one context of several
 * sequences (`contextSequences`), each keeping the evaluated prompt of one conversation or API client.
 */
export class LlamaEngine {
  private llama: Promise<Llama> | undefined;
  /** llama.cpp's latest error line: its load errors are far more specific than the exception. */
  private lastNativeError: string | null = null;
  private loaded: Loaded | undefined;
  /** Loading and unloading wait for the replies in progress; replies run side by side. */
  private readonly lock = new SharedExclusiveLock();
  private activeGenerations = 0;
  private readonly idle = new Emitter<void>();
  private readonly ranking = new RankingEngine(() => this.getLlama());
  /** Prompts evaluated and their input tokens since the worker started (tests count them per turn). */
  private readonly counters = { evaluations: 0, evaluatedTokens: 0 };

  constructor(private readonly options: LlamaEngineOptions = {}) {}

  get stats(): { evaluations: number; evaluatedTokens: number } {
    return { ...this.counters };
  }

  load(input: LoadInput, signal?: AbortSignal): Promise<LoadedModel> {
    return this.lock.exclusive(() => this.loadNow(input, signal), signal);
  }

  unload(): Promise<{ unloaded: boolean }> {
    return this.lock.exclusive(async () => {
      const had = this.loaded !== undefined;
      await this.disposeLoaded();
      // The reranker goes with the chat model: unloading frees the worker's memory.
      await this.ranking.dispose();
      return { unloaded: had };
    });
  }

  /** Replies on different context sequences run at once; node-llama-cpp batches them, user turns first. */
  generate(input: GenerateInput, emit: (item: GenerateItem) => void, signal?: AbortSignal): Promise<GenerateResult> {
    return this.lock.shared(() => this.generateNow(input, emit, signal), signal);
  }

  private async loadNow(input: LoadInput, signal?: AbortSignal): Promise<LoadedModel> {
    const stat = await fs.stat(input.modelPath).catch(() => null);
    if (!stat?.isFile()) throw new AssistantError(ErrorCode.ModelNotFound, `The model file ${input.modelPath} does not exist.`);
    const key = JSON.stringify([input.modelPath, stat.size, stat.mtimeMs, input.threads, input.contextSize, input.maxAutoContextSize, input.sequences]);
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
      // Each sequence gets the whole context size (node-llama-cpp allocates contextSize x sequences cells).
      const context = await model.createContext({ contextSize, sequences: input.sequences, threads, createSignal: signal, batching: { itemPrioritizationStrategy: strictPriorityBatching } });
      const sequences = Array.from({ length: input.sequences }, () => {
        const sequence = context.getSequence();
        return { sequence, chat: new LlamaChat({ contextSequence: sequence, autoDisposeSequence: false }) };
      });
      const info: LoadedModel = { modelPath: input.modelPath, threads, contextSize: context.contextSize, trainContextSize: model.trainContextSize, sizeBytes: stat.size, sequences: input.sequences };
      this.loaded = { key, model, context, pool: new SequencePool(sequences), info };
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
    // The wall-time limit counts from arrival: time spent waiting for a sequence is part of the reply's time.
    const limit = new AbortController();
    let timedOut = false;
    const timer = input.maxWallMs
      ? setTimeout(() => {
          timedOut = true;
          limit.abort();
        }, input.maxWallMs)
      : null;
    const stop = signal ? AbortSignal.any([signal, limit.signal]) : limit.signal;
    let lease: SequenceLease<PooledSequence> | null = null;
    this.activeGenerations++;
    try {
      try {
        lease = await loaded.pool.acquire({ key: input.cacheKey ?? null, priority: input.priority, signal: stop });
      } catch (error) {
        if (!timedOut) throw error;
        return { text: '', stopReason: 'timeLimit', promptTokens: 0, completionTokens: 0, trimmedMessages: 0, passageTokens: 0, evaluatedTokens: 0, cachedTokens: 0, generationMs: 0 };
      }
      let prompt = input.prompt;
      let passageTokens = 0;
      if (input.grounding) {
        const grounded = await this.ground(input, input.grounding, loaded, stop);
        prompt = grounded.prompt;
        passageTokens = grounded.tokens;
        // Before any evaluation: the host sends its one `sources` event for exactly these passages.
        emit({ text: '', tokens: 0, packed: grounded.packed, passageTokens: grounded.tokens });
      }
      const { sequence, chat } = lease.resource;
      const result = await replyOnSequence({
        input: { ...input, prompt },
        model: loaded.model,
        chat,
        sequence,
        memory: lease.memory,
        passageTokens,
        emit,
        signal: stop,
        timedOut: () => timedOut,
        batchIntervalMs: this.options.batchIntervalMs,
      });
      this.counters.evaluations++;
      this.counters.evaluatedTokens += result.evaluatedTokens;
      return result;
    } finally {
      if (timer) clearTimeout(timer);
      lease?.release();
      this.activeGenerations--;
      if (this.activeGenerations === 0) this.idle.fire();
    }
  }

  /** Resolves when no reply is being generated or waiting (background embedding yields to replies). */
  async whenGenerationsIdle(signal?: AbortSignal): Promise<void> {
    while (this.activeGenerations > 0) {
      if (signal?.aborted) throw cancelledError();
      await new Promise<void>((resolve) => {
        const done = () => {
          listener.dispose();
          signal?.removeEventListener('abort', done);
          resolve();
        };
        const listener = this.idle.event(done);
        signal?.addEventListener('abort', done, { once: true });
      });
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
    for (const { chat } of loaded.pool.resources) chat.dispose({ disposeSequence: true });
    await loaded.context.dispose();
    await loaded.model.dispose();
  }
}

