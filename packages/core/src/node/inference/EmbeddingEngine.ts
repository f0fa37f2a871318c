import fs from 'node:fs/promises';
import type { Llama, LlamaEmbeddingContext, LlamaModel } from 'node-llama-cpp';
import type { z } from 'zod';
import type { LoadedEmbedding, loadEmbeddingInputSchema } from '../../common/contract/inferenceContract.js';
import { encodeVector, normalizeVector } from '../../common/embedding/vectorCodec.js';
import { AssistantError, ErrorCode, cancelledError } from '../../common/errors.js';
import { chooseThreads } from './chooseThreads.js';
import { SerialQueue } from '../../common/SerialQueue.js';

type LoadInput = z.output<typeof loadEmbeddingInputSchema>;

/** Longest input an embedding model gets unless asked otherwise: BERT-style models are trained on 512. */
const defaultMaxContext = 512;

interface Loaded {
  key: string;
  model: LlamaModel;
  context: LlamaEmbeddingContext;
  info: LoadedEmbedding;
}

/**
 * The embedding model beside the chat model in the inference worker. It has its own queue, so a batch of
 * document embeddings never waits behind a whole chat reply (node-llama-cpp schedules both contexts).
 */
export class EmbeddingEngine {
  private loaded: Loaded | undefined;
  private readonly queue = new SerialQueue();

  constructor(private readonly getLlama: () => Promise<Llama>) {}

  load(input: LoadInput, signal?: AbortSignal): Promise<LoadedEmbedding> {
    return this.queue.run(async () => {
      const stat = await fs.stat(input.modelPath).catch(() => null);
      if (!stat?.isFile()) throw new AssistantError(ErrorCode.ModelNotFound, `The embedding model file ${input.modelPath} does not exist.`);
      const key = JSON.stringify([input.modelPath, stat.size, stat.mtimeMs, input.threads, input.contextSize]);
      if (this.loaded?.key === key) return this.loaded.info;
      await this.disposeLoaded();
      const llama = await this.getLlama();
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
    }, signal);
  }

  /** Embeds texts in order; texts longer than the context are cut to fit (counted in `truncated`). */
  embed(texts: readonly string[], signal?: AbortSignal): Promise<{ vectors: string[]; truncated: number }> {
    return this.queue.run(async () => {
      const loaded = this.loaded;
      if (!loaded) throw new AssistantError(ErrorCode.NoEmbeddingModel, 'No embedding model is loaded.');
      const { model, context, info } = loaded;
      const vectors: string[] = [];
      let truncated = 0;
      for (const text of texts) {
        if (signal?.aborted) throw cancelledError();
        let tokens = model.tokenize(text);
        // BOS/EOS and separators the model adds around the input.
        const room = info.contextSize - 4;
        if (tokens.length > room) {
          tokens = tokens.slice(0, room);
          truncated++;
        }
        const embedding = tokens.length === 0 ? new Float32Array(info.dimensions) : Float32Array.from((await context.getEmbeddingFor(tokens)).vector);
        vectors.push(encodeVector(normalizeVector(embedding)));
      }
      return { vectors, truncated };
    }, signal);
  }

  async dispose(): Promise<void> {
    await this.disposeLoaded();
  }

  private async disposeLoaded(): Promise<void> {
    const loaded = this.loaded;
    this.loaded = undefined;
    if (!loaded) return;
    await loaded.context.dispose();
    await loaded.model.dispose();
  }
}
