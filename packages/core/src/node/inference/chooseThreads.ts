export interface ChooseThreadsOptions {
  /** From settings; 0 means choose. */
  requested: number;
  /** Cores that do math well (node-llama-cpp's `llama.cpuMathCores`). */
  cores: number;
  modelSizeBytes: number;
  /**
   * `generation` (default) decodes one token at a time; `batch` (embeddings, prompt processing) runs large
   * matrix products that split well across cores even for tiny models: measured on 2 cores with the tiny
   * test model, embedding 508 tokens takes 149 ms on 1 thread and 76 ms on 2.
   */
  workload?: 'generation' | 'batch';
}

/** Models below this size are so small that thread synchronisation costs more than it saves. */
export const tinyModelBytes = 200 * 1024 * 1024;

/**
 * node-llama-cpp's own default can be catastrophic on small machines (measured ~1,000x slower on 2 cores
 * with the tiny test model), so the count is always chosen here: 1 for tiny models; otherwise all cores on
 * machines with 1-2 cores, and one core left for the host and audio above that, capped at 8 where
 * generation is memory-bound anyway.
 */
export function chooseThreads({ requested, cores, modelSizeBytes, workload = 'generation' }: ChooseThreadsOptions): number {
  const available = Math.max(1, cores);
  if (requested > 0) return Math.min(requested, available * 2);
  if (modelSizeBytes < tinyModelBytes && workload === 'generation') return 1;
  return Math.min(8, available <= 2 ? available : available - 1);
}
