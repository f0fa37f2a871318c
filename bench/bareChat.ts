import fs from 'node:fs';
import path from 'node:path';
import { chooseThreads } from '@assistant/core/node';
import { type ChatHistoryItem, LlamaChatSession, LlamaLogLevel, getLlama } from 'node-llama-cpp';
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
  /**
   * One turn of a conversation on this chat's own context sequence, the history set as given (so what the
   * sequence already holds of it is reused, as node-llama-cpp does for the app); with the prompt tokens the
   * sequence's token meter says were evaluated.
   */
  runTurn(history: readonly { role: 'user' | 'assistant'; text: string }[], prompt: string, maxTokens: number): Promise<BareRun & { evaluatedTokens: number; text: string }>;
  /** Tokens of a text in this model's tokenizer. */
  countTokens(text: string): number;
  /** The prompt's tokens as the engine reads them (chat template included) for this history and user message. */
  renderPrompt(history: readonly { role: 'user' | 'assistant'; text: string }[], prompt: string): readonly number[];
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
    async runTurn(history, prompt, maxTokens) {
      session.setChatHistory(chatHistoryOf(history));
      const meter = session.sequence.tokenMeter;
      const before = { input: meter.usedInputTokens, output: meter.usedOutputTokens };
      let tokens = 0;
      let first = 0;
      let text = '';
      const start = performance.now();
      await session.prompt(prompt, {
        maxTokens,
        temperature: 0,
        onToken: (t) => (tokens += t.length),
        onTextChunk: (chunk) => {
          first ||= performance.now();
          text += chunk;
        },
      });
      const end = performance.now();
      // As the app counts it (replyOnSequence): the prompt's last token is metered as output.
      const evaluatedTokens = meter.usedInputTokens - before.input + Math.min(1, meter.usedOutputTokens - before.output);
      return { ttftMs: first - start, tokens, tokensPerS: tokens / ((end - first) / 1000), evaluatedTokens, text };
    },
    countTokens: (text) => model.tokenize(text).length,
    renderPrompt(history, prompt) {
      const chatHistory: ChatHistoryItem[] = [...chatHistoryOf(history), { type: 'user', text: prompt }, { type: 'model', response: [] }];
      return session.chatWrapper.generateContextState({ chatHistory }).contextText.tokenize(model.tokenizer);
    },
    async dispose() {
      await context.dispose();
      await model.dispose();
    },
  };
}

function chatHistoryOf(history: readonly { role: 'user' | 'assistant'; text: string }[]): ChatHistoryItem[] {
  return [{ type: 'system', text: benchSystemPrompt }, ...history.map((m): ChatHistoryItem => (m.role === 'user' ? { type: 'user', text: m.text } : { type: 'model', response: [m.text] }))];
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
