import type { ChatHistoryItem, LlamaChat, LlamaContextSequence, LlamaModel } from 'node-llama-cpp';
import type { z } from 'zod';
import { fitHistory } from '../../common/chat/fitHistory.js';
import { TextBatcher } from '../../common/chat/TextBatcher.js';
import type { GenerateResult, generateInputSchema, generateItemSchema } from '../../common/contract/inferenceContract.js';
import { AssistantError, ErrorCode } from '../../common/errors.js';
import type { SlotMemory } from '../../common/scheduling/SequencePool.js';
import { evaluationPriority } from '../../common/scheduling/workPriority.js';

type GenerateInput = z.output<typeof generateInputSchema>;
type GenerateItem = z.output<typeof generateItemSchema>;

/** Template tokens a message costs beyond its text (role markers), an upper bound across chat templates. */
export const perMessageOverhead = 8;

/** Tokens a chat template adds around the whole conversation (BOS, system block, generation prefix). */
export const templateMargin = 64;

export interface ReplyOnSequenceOptions {
  /** The request, its prompt already grounded. */
  input: GenerateInput;
  model: LlamaModel;
  chat: LlamaChat;
  sequence: LlamaContextSequence;
  /** What the sequence holds for this key; `historyStart` is updated for the next turn. */
  memory: SlotMemory;
  passageTokens: number;
  emit(item: GenerateItem): void;
  /** The caller's cancel and the wall-time limit together. */
  signal: AbortSignal;
  timedOut(): boolean;
  batchIntervalMs?: number;
}

/**
 * One reply on a leased context sequence. node-llama-cpp keeps the part of the sequence that matches the
 * new prompt's tokens and evaluates only the rest, so the history is sent as the conversation was (the
 * user's words, not earlier passages) and trimmed in steps: the system prompt and older turns stay cached.
 * The sequence's token meter says what was evaluated; the rest of the prompt came from the cache.
 */
export async function replyOnSequence(options: ReplyOnSequenceOptions): Promise<GenerateResult> {
  const { input, model, chat, sequence, memory, signal } = options;
  const contextSize = sequence.contextSize;
  const prompt = input.prompt;
  const continued = input.continueReply ?? '';
  // A token covers at least one UTF-8 byte, so byte lengths bound token counts from above: when the
  // bound leaves room for the whole reply, nothing needs tokenizing before the first token.
  const byBytes = fitsByBytes(input, contextSize);
  const measure = byBytes ? (text: string) => Buffer.byteLength(text) : (text: string) => model.tokenize(text).length;
  const systemTokens = measure(input.systemPrompt);
  const promptTokens = measure(prompt) + (continued ? measure(continued) + perMessageOverhead : 0);
  const historyTokens = input.history.map((message) => measure(message.text));
  const start = fitHistory({ contextSize, replyReserve: input.maxTokens, systemTokens, promptTokens, historyTokens, perMessageOverhead, keepFrom: memory.historyStart });
  // A kept history must start with the user's turn for chat templates that alternate strictly.
  const firstUser = input.history.slice(start).findIndex((message) => message.role === 'user');
  const from = firstUser < 0 ? input.history.length : start + firstUser;
  memory.historyStart = from;
  const history = input.history.slice(from);
  const trimmedMessages = from;
  // The reply ends where the context does: node-llama-cpp's context shift stalls for seconds on small
  // contexts, and the history was already fitted before the turn.
  const used = systemTokens + promptTokens + historyTokens.slice(from).reduce((sum, n) => sum + n + perMessageOverhead, 0) + 2 * perMessageOverhead;
  const maxTokens = byBytes ? input.maxTokens : Math.max(1, Math.min(input.maxTokens, contextSize - used - templateMargin));

  const chatHistory: ChatHistoryItem[] = [{ type: 'system', text: input.systemPrompt }];
  for (const message of history) chatHistory.push(message.role === 'user' ? { type: 'user', text: message.text } : { type: 'model', response: [message.text] });
  chatHistory.push({ type: 'user', text: prompt });
  // A model turn last: node-llama-cpp continues it rather than starting a new reply.
  if (continued) chatHistory.push({ type: 'model', response: [continued] });

  let completionTokens = 0;
  let text = '';
  let firstToken: number | null = null;
  const meter = sequence.tokenMeter;
  const before = { input: meter.usedInputTokens, output: meter.usedOutputTokens };
  // The meter counts a decoded token as output when its logits are read: the prompt's last token and each
  // generated token fed back; every other prompt token counts as input. So the prompt evaluated is the input
  // plus that one token, and the sequence holds the prompt plus the generated tokens fed back.
  const measurePrefill = () => {
    const outputs = meter.usedOutputTokens - before.output;
    const evaluated = meter.usedInputTokens - before.input + Math.min(1, outputs);
    return { evaluated, promptLength: sequence.nextTokenIndex - Math.max(0, outputs - 1) };
  };
  const batcher = new TextBatcher((chunk, tokens) => options.emit({ text: chunk, tokens }), options.batchIntervalMs);
  const result = (stopReason: GenerateResult['stopReason']): GenerateResult => {
    const { evaluated, promptLength } = measurePrefill();
    return {
      text,
      stopReason,
      promptTokens: model.tokenize(prompt).length,
      completionTokens,
      trimmedMessages,
      passageTokens: options.passageTokens,
      evaluatedTokens: evaluated,
      cachedTokens: Math.max(0, promptLength - evaluated),
      generationMs: firstToken === null ? 0 : performance.now() - firstToken,
    };
  };
  try {
    const response = await chat.generateResponse(chatHistory, {
      maxTokens,
      temperature: input.temperature,
      seed: input.seed,
      signal,
      stopOnAbortSignal: true,
      evaluationPriority: evaluationPriority[input.priority],
      onToken: (tokens) => {
        firstToken ??= performance.now();
        completionTokens += tokens.length;
      },
      onTextChunk: (chunk) => {
        text += chunk;
        batcher.push(chunk);
      },
    });
    batcher.flush();
    const stop = response.metadata.stopReason;
    return result(stop === 'abort' ? (options.timedOut() ? 'timeLimit' : 'cancelled') : stop === 'maxTokens' ? 'maxTokens' : 'eos');
  } catch (error) {
    batcher.flush();
    if (signal.aborted) return result(options.timedOut() ? 'timeLimit' : 'cancelled');
    throw new AssistantError(ErrorCode.GenerationFailed, `Generation failed: ${firstLine(error)}.`, { cause: error });
  }
}

function fitsByBytes(input: Pick<GenerateInput, 'systemPrompt' | 'prompt' | 'history' | 'maxTokens' | 'continueReply'>, contextSize: number): boolean {
  let bytes = Buffer.byteLength(input.systemPrompt) + Buffer.byteLength(input.prompt) + Buffer.byteLength(input.continueReply ?? '') + 3 * perMessageOverhead;
  for (const message of input.history) bytes += Buffer.byteLength(message.text) + perMessageOverhead;
  return bytes + templateMargin + input.maxTokens <= contextSize;
}

export function firstLine(error: unknown): string {
  const message = error instanceof Error ? error.message : String(error);
  return (message.split('\n')[0] ?? '').replace(/\.$/, '') || 'unknown error';
}
