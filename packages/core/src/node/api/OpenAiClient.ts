import type { z } from 'zod';
import { AssistantError, ErrorCode, isAbortError, toErrorPayload } from '../../common/errors.js';
import type { NetworkGate } from '../network/NetworkGate.js';
import { chatChunkSchema, embeddingsResponseSchema } from './openAiSchemas.js';
import { SseParser } from './SseParser.js';

export interface OpenAiClientOptions {
  network: Pick<NetworkGate, 'fetch'>;
  /** e.g. https://gpu.example.org/v1 */
  baseUrl: string;
  apiKey: string | null;
  /** No answer, or no byte of a streaming answer, for this long is a failure (a hung server). */
  timeoutMs: number;
}

export interface RemoteChatRequest {
  /** Omitted when null: single-model servers (llama.cpp server) do not need one. */
  model: string | null;
  messages: { role: 'system' | 'user' | 'assistant'; content: string }[];
  maxTokens: number;
  temperature: number;
  seed?: number;
  /** The last message is a reply cut off earlier, to be continued rather than answered. */
  continueLast?: boolean;
}

export interface RemoteChatResult {
  text: string;
  finishReason: string;
  promptTokens: number;
  completionTokens: number;
}

const purpose = 'remote backend';

/**
 * A client for an OpenAI-compatible server (vLLM, llama.cpp server, Ollama, this app's own local API),
 * always through the NetworkGate. Every failure becomes a REMOTE_FAILED error with a sentence naming what
 * went wrong (timeout, refused key, HTTP status, malformed stream, unreachable); cancellation stays CANCELLED.
 */
export class OpenAiClient {
  constructor(private readonly options: OpenAiClientOptions) {}

  async chat(request: RemoteChatRequest, options: { signal: AbortSignal; onText(text: string): void }): Promise<RemoteChatResult> {
    // A trailing assistant message is continued by llama.cpp's server and Ollama as it is; vLLM needs to be told.
    const continuation = request.continueLast ? { continue_final_message: true, add_generation_prompt: false } : {};
    const body = { model: request.model ?? undefined, messages: request.messages, max_tokens: request.maxTokens, temperature: request.temperature, seed: request.seed, stream: true, stream_options: { include_usage: true }, ...continuation };
    return this.withDeadline(options.signal, async (signal, touch) => {
      const response = await this.post('/chat/completions', body, signal);
      if (!response.body) throw remoteError('the server answered without a body');
      const parser = new SseParser();
      const decoder = new TextDecoder();
      let text = '';
      let finishReason: string | null = null;
      let usage: { prompt_tokens: number; completion_tokens: number } | null = null;
      let chunks = 0;
      let done = false;
      for await (const bytes of response.body as AsyncIterable<Uint8Array>) {
        touch();
        for (const event of parser.feed(decoder.decode(bytes, { stream: true }))) {
          if (event.data === '[DONE]') {
            done = true;
            break;
          }
          const value = parseJson(event.data, 'stream chunk');
          if (typeof value === 'object' && value !== null && 'error' in value) throw remoteError(`it reported an error mid-stream: ${event.data.slice(0, 200)}`);
          const chunk = check(chatChunkSchema, value, 'stream chunk');
          for (const choice of chunk.choices) {
            const delta = choice.delta?.content ?? '';
            if (delta) {
              text += delta;
              chunks++;
              options.onText(delta);
            }
            if (choice.finish_reason) finishReason = choice.finish_reason;
          }
          if (chunk.usage) usage = chunk.usage;
        }
        if (done) break;
      }
      if (!done && finishReason === null) throw remoteError(`the stream ended before the reply was complete${parser.remainder ? ` (left over: "${parser.remainder.slice(0, 80)}")` : ''}`);
      return { text, finishReason: finishReason ?? 'stop', promptTokens: usage?.prompt_tokens ?? 0, completionTokens: usage?.completion_tokens ?? chunks };
    });
  }

  async embed(model: string | null, texts: readonly string[], signal?: AbortSignal): Promise<Float32Array[]> {
    return this.withDeadline(signal, async (deadline) => {
      const response = await this.post('/embeddings', { model: model ?? undefined, input: texts, encoding_format: 'float' }, deadline);
      const parsed = check(embeddingsResponseSchema, parseJson(await response.text(), 'embeddings response'), 'embeddings response');
      if (parsed.data.length !== texts.length) throw remoteError(`the server returned ${parsed.data.length} embeddings for ${texts.length} texts`);
      return [...parsed.data].sort((a, b) => a.index - b.index).map((item) => Float32Array.from(item.embedding));
    });
  }

  private async post(route: string, body: unknown, signal: AbortSignal): Promise<Response> {
    const url = `${this.options.baseUrl.replace(/\/+$/, '')}${route}`;
    const headers: Record<string, string> = { 'Content-Type': 'application/json', Accept: route === '/chat/completions' ? 'text/event-stream' : 'application/json' };
    if (this.options.apiKey) headers.Authorization = `Bearer ${this.options.apiKey}`;
    let response: Response;
    try {
      response = await this.options.network.fetch(url, { purpose, method: 'POST', headers, body: JSON.stringify(body), signal });
    } catch (error) {
      if (isAbortError(error) || toErrorPayload(error).code === ErrorCode.Cancelled) throw error;
      throw remoteError(toErrorPayload(error).message.replace(/\.$/, ''), error);
    }
    if (response.status === 401 || response.status === 403) {
      await response.body?.cancel();
      throw remoteError(`the server refused the API key (HTTP ${response.status}); set remoteApiKey in Settings → Secrets`);
    }
    if (!response.ok) {
      const detail = (await response.text().catch(() => '')).slice(0, 200);
      throw remoteError(`the server answered HTTP ${response.status}${detail ? `: ${detail}` : ''}`);
    }
    return response;
  }

  /**
   * Runs `work` with a deadline that each received chunk pushes back (`touch`): a slow but steady stream
   * is fine, a server that stops answering for timeoutMs is a failure.
   */
  private async withDeadline<T>(outer: AbortSignal | undefined, work: (signal: AbortSignal, touch: () => void) => Promise<T>): Promise<T> {
    const controller = new AbortController();
    let timedOut = false;
    let timer: NodeJS.Timeout | undefined;
    const touch = () => {
      clearTimeout(timer);
      timer = setTimeout(() => {
        timedOut = true;
        controller.abort();
      }, this.options.timeoutMs);
    };
    const cancel = () => controller.abort();
    outer?.addEventListener('abort', cancel, { once: true });
    touch();
    try {
      return await work(controller.signal, touch);
    } catch (error) {
      if (timedOut) throw remoteError(`no answer within ${Math.round(this.options.timeoutMs / 100) / 10} s`, error);
      throw error;
    } finally {
      clearTimeout(timer);
      outer?.removeEventListener('abort', cancel);
    }
  }
}

function remoteError(reason: string, cause?: unknown): AssistantError {
  return new AssistantError(ErrorCode.RemoteFailed, `The remote server failed: ${reason}.`, { cause });
}

function parseJson(text: string, what: string): unknown {
  try {
    return JSON.parse(text) as unknown;
  } catch {
    throw remoteError(`it sent a malformed ${what} (not JSON: "${text.slice(0, 80)}")`);
  }
}

function check<S extends z.ZodType>(schema: S, value: unknown, what: string): z.output<S> {
  const result = schema.safeParse(value);
  if (!result.success) throw remoteError(`it sent a malformed ${what} (${result.error.issues[0]?.path.join('.') || 'body'}: ${result.error.issues[0]?.message ?? 'unexpected shape'})`);
  return result.data;
}
