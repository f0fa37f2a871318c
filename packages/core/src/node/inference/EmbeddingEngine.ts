import fs from 'node:fs/promises';
import type { Llama, LlamaEmbeddingContext, LlamaModel } from 'node-llama-cpp';
import type { z } from 'zod';
import type { LoadedEmbedding, loadEmbeddingInputSchema } from '../../common/contract/inferenceContract.js';
import { encodeVector, normalizeVector } from '../../common/embedding/vectorCodec.js';
import { AssistantError, ErrorCode, cancelledError } from '../../common/errors.js';
import { chooseThreads } from './chooseThreads.js';
import type { WorkPriority } from '../../common/contract/inferenceContract.js';
import { PriorityQueue } from '../../common/scheduling/PriorityQueue.js';

type LoadInput = z.output<typeof loadEmbeddingInputSchema>;

/** Longest input an embedding model gets unless asked otherwise: BERT-style models are trained on 512. */
const defaultMaxContext = 512;

interface Loaded {
  key: string;
  model: LlamaModel;
  context: LlamaEmbeddingContext;
  info: LoadedEmbedding;
}

export interface EmbeddingEngineOptions {
  getLlama(): Promise<Llama>;
  /** Resolves when no chat reply is in progress: background embedding waits for it, text by text. */
  whenRepliesIdle(signal?: AbortSignal): Promise<void>;
}

/**
 * The embedding model beside the chat model in the inference worker, with its own queue: a question's
 * embedding (the user's turn) goes before API requests, and both before background work (embedding newly
 * added documents), which also waits text by text while a chat reply is being generated.
 */
export class EmbeddingEngine {
  private loaded: Loaded | undefined;
  private readonly queue = new PriorityQueue();

  constructor(private readonly options: EmbeddingEngineOptions) {}

  load(input: LoadInput, signal?: AbortSignal): Promise<LoadedEmbedding> {
    return this.queue.run(async () => {
      const stat = await fs.stat(input.modelPath).catch(() => null);
      if (!stat?.isFile()) throw new AssistantError(ErrorCode.ModelNotFound, `The embedding model file ${input.modelPath} does not exist.`);
      const key = JSON.stringify([input.modelPath, stat.size, stat.mtimeMs, input.threads, input.contextSize]);
      if (this.loaded?.key === key) return this.loaded.info;
      await this.disposeLoaded();
      const llama = await this.options.getLlama();
      const threads = chooseThreads({ requested: input.threads, cores: llama.cpuMathCores, modelSizeBytes: stat.size, workload: 'batch' });
      let model: LlamaModel | undefined;
      try {
        model = await llama.loadModel({ modelPath: input.modelPath, loadSignal: signal });
        const contextSize = input.contextSize > 0 ? input.contextSize : Math.min(model.trainContextSize, defaultMaxContext);
        const context = await model.createEmbeddingContext({ contextSize, batchSize: contextSize, threads, createSignal: signal });
        const info: LoadedEmbedding = { modelPath: input.modelPath, dimensions: model.embeddingVectorSize, contextSize, threads };
        this.loaded = { key, model, context, info };
        return info;
      } catch (error) {
        await model?.dispose().catch(() => {});
        if (signal?.aborted) throw cancelledError();
        const reason = (error instanceof Error ? error.message : String(error)).split('\n')[0];
        throw new AssistantError(ErrorCode.ModelLoadFailed, `Could not load the embedding model ${input.modelPath}: ${reason}`, { cause: error });
      }
    }, 'user', signal);
  }

  /**
   * Embeds texts in order; texts longer than the context are cut to fit (counted in `truncated`). Each text
   * is its own turn in the queue, so a batch never holds back more urgent work for longer than one text.
   */
  async embed(texts: readonly string[], priority: WorkPriority = 'user', signal?: AbortSignal): Promise<{ vectors: string[]; truncated: number }> {
    const vectors: string[] = [];
    let truncated = 0;
    for (const text of texts) {
      if (priority === 'background') await this.options.whenRepliesIdle(signal);
      const one = await this.queue.run(() => this.embedOne(text), priority, signal);
      vectors.push(one.vector);
      if (one.truncated) truncated++;
    }
    return { vectors, truncated };
  }

  private async embedOne(text: string): Promise<{ vector: string; truncated: boolean }> {
    const loaded = this.loaded;
    if (!loaded) throw new AssistantError(ErrorCode.NoEmbeddingModel, 'No embedding model is loaded.');
    const { model, context, info } = loaded;
    let tokens = model.tokenize(text);
    // BOS/EOS and separators the model adds around the input.
    const room = info.contextSize - 4;
    const truncated = tokens.length > room;
    if (truncated) tokens = tokens.slice(0, room);
    const embedding = tokens.length === 0 ? new Float32Array(info.dimensions) : Float32Array.from((await context.getEmbeddingFor(tokens)).vector);
    return { vector: encodeVector(normalizeVector(embedding)), truncated };
  }

  async dispose(): Promise<void> {
    await this.queue.run(() => this.disposeLoaded(), 'user');
  }

  private async disposeLoaded(): Promise<void> {
    const loaded = this.loaded;
    this.loaded = undefined;
    if (!loaded) return;
    await loaded.context.dispose();
    await loaded.model.dispose();
  }
}
