import fs from 'node:fs';
import path from 'node:path';
import { chooseThreads } from '@assistant/core/node';
import { LlamaChatSession, LlamaLogLevel, getLlama } from 'node-llama-cpp';
import { median } from './report.js';

/** The prompt the llm and api benches send both ways. */
export const benchPrompt = 'Once upon a time, in a small village by the sea, there lived a curious little girl named Lily.';

/** What the app is told too, so both sides answer the same prompt the same way. */
export const benchSystemPrompt = 'You are a helpful, concise assistant running entirely on this computer.';

/** One timed reply from the bare engine. */
export interface BareRun {
  ttftMs: number;
  tokens: number;
  tokensPerS: number;
}

export interface BareChat {
  threads: number;
  contextSize: number;
  /** Greedy reply to `prompt` from a fresh history; `onText` sees each streamed chunk. */
  run(prompt: string, maxTokens: number, onText?: (text: string) => void): Promise<BareRun>;
  /** Tokens of a text in this model's tokenizer. */
  countTokens(text: string): number;
  dispose(): Promise<void>;
}

/** The tiny test model's path under ASSISTANT_MODELS_DIR, or `explicit`; throws naming what it looked for. */
export function benchModelPath(bench: string, explicit?: string): string {
  const modelPath = explicit ?? (process.env.ASSISTANT_MODELS_DIR ? path.join(process.env.ASSISTANT_MODELS_DIR, 'stories260k', 'stories260K.gguf') : '');
  if (!modelPath || !fs.existsSync(modelPath)) throw new Error(`bench ${bench} needs a GGUF: pass --model PATH or set ASSISTANT_MODELS_DIR to a folder with stories260k/stories260K.gguf (looked for "${modelPath}").`);
  return modelPath;
}

/**
 * Bare node-llama-cpp in this process, set up as the app sets up its worker: threads from the same rule
 * (or `requestedThreads`), the training context capped at 4096, the app's system prompt, greedy sampling.
 */
export async function createBareChat(modelPath: string, requestedThreads = 0): Promise<BareChat> {
  const llama = await getLlama({ build: 'never', logLevel: LlamaLogLevel.error });
  const threads = chooseThreads({ requested: requestedThreads, cores: llama.cpuMathCores, modelSizeBytes: fs.statSync(modelPath).size });
  const model = await llama.loadModel({ modelPath });
  const contextSize = Math.min(model.trainContextSize, 4096);
  const context = await model.createContext({ contextSize, threads });
  const session = new LlamaChatSession({ contextSequence: context.getSequence(), systemPrompt: benchSystemPrompt });
  return {
    threads,
    contextSize,
    async run(prompt, maxTokens, onText) {
      session.resetChatHistory();
      let tokens = 0;
      let first = 0;
      const start = performance.now();
      await session.prompt(prompt, {
        maxTokens,
        temperature: 0,
        onToken: (t) => (tokens += t.length),
        onTextChunk: (text) => {
          first ||= performance.now();
          onText?.(text);
        },
      });
      const end = performance.now();
      return { ttftMs: first - start, tokens, tokensPerS: tokens / ((end - first) / 1000) };
    },
    countTokens: (text) => model.tokenize(text).length,
    async dispose() {
      await context.dispose();
      await model.dispose();
    },
  };
}

/**
 * One warm-up each (the model loaded in the worker, both prompt caches filled alike), then `runs` rounds
 * interleaved so machine drift hits both; the medians of each side.
 */
export async function interleaveRuns(runs: number, app: () => Promise<BareRun>, bare: () => Promise<BareRun>) {
  await app();
  await bare();
  const results = { app: [] as BareRun[], bare: [] as BareRun[] };
  for (let i = 0; i < runs; i++) {
    results.app.push(await app());
    results.bare.push(await bare());
  }
  const summarize = (list: BareRun[]) => ({ ttftMs: median(list.map((r) => r.ttftMs)), tokensPerS: median(list.map((r) => r.tokensPerS)), tokens: median(list.map((r) => r.tokens)) });
  // Paired differences (each app run against the bare run right after it) resist drift better than medians apart.
  const addedMs = median(results.app.map((run, i) => run.ttftMs - results.bare[i]!.ttftMs));
  return { app: summarize(results.app), bare: summarize(results.bare), ttftAddedMs: addedMs };
}
