import fs from 'node:fs/promises';
import type { Llama, LlamaModel, LlamaRankingContext } from 'node-llama-cpp';
import { AssistantError, ErrorCode, cancelledError } from '../../common/errors.js';
import { chooseThreads } from './chooseThreads.js';

/** Query and passage together: a cross-encoder sees both at once, and passages here are a few sentences. */
const rankingContextSize = 1024;

/** Texts scored between two looks at the abort signal: a stopped turn waits for at most one batch. */
const rankBatch = 32;

interface Loaded {
  key: string;
  model: LlamaModel;
  context: LlamaRankingContext;
}

/**
 * A reranker (cross-encoder GGUF such as jina-reranker-v1-tiny-en) in the inference worker, loaded on first
 * use and kept: it scores each candidate passage against the question with node-llama-cpp's ranking
 * context, which judges relevance far better than keyword or vector similarity.
 */
export class RankingEngine {
  private loaded: Loaded | undefined;

  constructor(private readonly getLlama: () => Promise<Llama>) {}

  /** Relevance of each text to the query, 0 to 1, in order. */
  async rank(input: { modelPath: string; threads: number }, query: string, texts: readonly string[], signal?: AbortSignal): Promise<number[]> {
    const { context } = await this.load(input, signal);
    const scores: number[] = [];
    for (let i = 0; i < texts.length; i += rankBatch) {
      if (signal?.aborted) throw cancelledError();
      scores.push(...(await context.rankAll(query, texts.slice(i, i + rankBatch), { onOverflow: 'maxChunk' })));
    }
    if (signal?.aborted) throw cancelledError();
    return scores;
  }

  async dispose(): Promise<void> {
    const loaded = this.loaded;
    this.loaded = undefined;
    if (!loaded) return;
    await loaded.context.dispose();
    await loaded.model.dispose();
  }

  private async load(input: { modelPath: string; threads: number }, signal?: AbortSignal): Promise<Loaded> {
    const stat = await fs.stat(input.modelPath).catch(() => null);
    if (!stat?.isFile()) throw new AssistantError(ErrorCode.ModelNotFound, `The reranker file ${input.modelPath} does not exist.`);
    const key = JSON.stringify([input.modelPath, stat.size, stat.mtimeMs, input.threads]);
    if (this.loaded?.key === key) return this.loaded;
    await this.dispose();
    const llama = await this.getLlama();
    const threads = chooseThreads({ requested: input.threads, cores: llama.cpuMathCores, modelSizeBytes: stat.size, workload: 'batch' });
    let model: LlamaModel | undefined;
    try {
      model = await llama.loadModel({ modelPath: input.modelPath, loadSignal: signal });
      const context = await model.createRankingContext({ contextSize: Math.min(model.trainContextSize, rankingContextSize), threads, createSignal: signal });
      this.loaded = { key, model, context };
      return this.loaded;
    } catch (error) {
      await model?.dispose().catch(() => {});
      if (signal?.aborted) throw cancelledError();
      const reason = (error instanceof Error ? error.message : String(error)).split('\n')[0];
      throw new AssistantError(ErrorCode.ModelLoadFailed, `Could not load the reranker ${input.modelPath}: ${reason}`, { cause: error });
    }
  }
}
