import { CircuitBreaker } from '../../common/CircuitBreaker.js';
import type { StreamOptions } from '../../common/contract/defineContract.js';
import type { GenerateInput, GenerateResult } from '../../common/contract/inferenceContract.js';
import { type RemoteBackendState, knownSecrets } from '../../common/contract/trustSchemas.js';
import { Emitter } from '../../common/disposable.js';
import { AssistantError, ErrorCode, toErrorPayload } from '../../common/errors.js';
import type { Logger } from '../logger.js';
import type { NetworkGate } from '../network/NetworkGate.js';
import type { SettingsStore } from '../settings/SettingsStore.js';
import { OpenAiClient } from './OpenAiClient.js';

export type AuditSink = (summary: string, details: Record<string, unknown>) => void;

export interface RemoteBackendOptions {
  settings: SettingsStore;
  network: Pick<NetworkGate, 'fetch'>;
  /** Reads a secret; null when no secret store is available (a server without a key still works). */
  getSecret: () => ((name: string) => Promise<string | null>) | null;
  logger: Logger;
  onAudit: () => AuditSink | undefined;
  breaker?: { failureThreshold?: number; openMs?: number };
  now?: () => number;
}

const remoteKeys = new Set(['remoteUse', 'remoteBaseUrl', 'remoteChatModel', 'remoteEmbeddingModel', 'remoteTimeoutS', 'offlineLock']);

/**
 * The remote OpenAI-compatible backend the user configured, behind a circuit breaker. A failing remote
 * never fails a chat turn: the local model answers and the reply starts with a notice saying why, and the
 * state ('fallback' with the reason) is published for the UI. Embeddings have no such fallback, because
 * remote and local vectors must never be compared: `embeddingKey` differs from any local model's key.
 */
export class RemoteBackend {
  private readonly breaker: CircuitBreaker;
  private current: RemoteBackendState;
  private readonly changed = new Emitter<RemoteBackendState>();
  readonly onDidChange = this.changed.event;

  constructor(private readonly options: RemoteBackendOptions) {
    this.breaker = new CircuitBreaker({ ...options.breaker, now: options.now });
    this.current = this.configuredState();
    options.settings.onDidChange(({ keys }) => {
      if (!keys.some((key) => remoteKeys.has(key))) return;
      // A new server or model deserves a fresh start, not the old one's failures.
      this.breaker.reset();
      this.set(this.configuredState());
    });
  }

  get state(): RemoteBackendState {
    return this.current;
  }

  /** True when this turn's chat should go to the remote server. */
  get chatActive(): boolean {
    const { remoteUse, remoteBaseUrl } = this.options.settings.get();
    return remoteBaseUrl !== null && (remoteUse === 'chat' || remoteUse === 'both');
  }

  get embeddingsActive(): boolean {
    const { remoteUse, remoteBaseUrl } = this.options.settings.get();
    return remoteBaseUrl !== null && (remoteUse === 'embeddings' || remoteUse === 'both');
  }

  /** Stored beside remote vectors: never equal to a local model's key, so the two never mix. */
  get embeddingKey(): string {
    const { remoteBaseUrl, remoteEmbeddingModel } = this.options.settings.get();
    return `remote:${remoteBaseUrl ?? ''}#${remoteEmbeddingModel ?? ''}`;
  }

  /**
   * Streams one reply from the remote server. On failure (or while the breaker is open) `local` answers,
   * after a notice item; text the remote already streamed stays, so the stored reply is what was shown.
   */
  async generate(input: GenerateInput, options: StreamOptions<{ text: string; tokens: number }>, local: () => Promise<GenerateResult>): Promise<GenerateResult> {
    let streamed = '';
    let reason: string;
    if (!this.breaker.tryAcquire()) {
      reason = `The remote server is paused after repeated failures (last: ${this.current.reason ?? 'unknown'}).`;
    } else {
      try {
        const result = await this.chat(input, {
          signal: options.signal,
          onText: (text) => {
            streamed += text;
            options.onItem({ text, tokens: 1 });
          },
        });
        this.breaker.recordSuccess();
        if (this.current.status !== 'ok') this.set({ ...this.configuredState(), status: 'ok' });
        return result;
      } catch (error) {
        const payload = toErrorPayload(error);
        if (payload.code === ErrorCode.Cancelled || options.signal?.aborted) throw error;
        this.breaker.recordFailure();
        reason = payload.message;
        this.options.logger.warn('remote chat failed; the local model answers', { reason, breaker: this.breaker.state });
        this.options.onAudit()?.(`Remote backend failed, the local model answered: ${reason}`, { purpose: 'chat', reason, breaker: this.breaker.state });
        this.set({ ...this.configuredState(), status: 'fallback', reason });
      }
    }
    const notice = `${streamed ? '\n\n' : ''}[${reason} The local model answered instead.]\n\n`;
    options.onItem({ text: notice, tokens: 0 });
    const result = await local();
    return { ...result, text: streamed + notice + result.text };
  }

  /** Remote embeddings behind the breaker; failures throw (no local stand-in, see the class comment). */
  async embed(texts: readonly string[], signal?: AbortSignal): Promise<Float32Array[]> {
    if (!this.breaker.tryAcquire()) throw new AssistantError(ErrorCode.RemoteFailed, `The remote server is paused after repeated failures (last: ${this.current.reason ?? 'unknown'}).`);
    try {
      const settings = this.options.settings.get();
      // Unit length, like the local model's: the index compares vectors by inner product.
      const vectors = (await (await this.client()).embed(settings.remoteEmbeddingModel, texts, signal)).map(normalize);
      this.breaker.recordSuccess();
      if (this.current.status !== 'ok') this.set({ ...this.configuredState(), status: 'ok' });
      return vectors;
    } catch (error) {
      if (toErrorPayload(error).code !== ErrorCode.Cancelled) {
        this.breaker.recordFailure();
        this.set({ ...this.configuredState(), status: 'fallback', reason: toErrorPayload(error).message });
      }
      throw error;
    }
  }

  private async chat(input: GenerateInput, options: { signal?: AbortSignal; onText(text: string): void }): Promise<GenerateResult> {
    const settings = this.options.settings.get();
    const messages = [
      ...(input.systemPrompt ? [{ role: 'system' as const, content: input.systemPrompt }] : []),
      ...input.history.map((message) => ({ role: message.role, content: message.text })),
      { role: 'user' as const, content: input.prompt },
      ...(input.continueReply ? [{ role: 'assistant' as const, content: input.continueReply }] : []),
    ];
    let firstToken: number | null = null;
    const client = await this.client();
    const result = await client.chat(
      { model: settings.remoteChatModel, messages, maxTokens: input.maxTokens, temperature: input.temperature, seed: input.seed, continueLast: Boolean(input.continueReply) },
      {
        signal: options.signal ?? new AbortController().signal,
        onText: (text) => {
          firstToken ??= performance.now();
          options.onText(text);
        },
      },
    );
    // What the server cached of the prompt is not reported by the OpenAI API: all of it counts as evaluated.
    return {
      text: result.text,
      stopReason: result.finishReason === 'length' ? 'maxTokens' : 'eos',
      promptTokens: result.promptTokens,
      completionTokens: result.completionTokens,
      trimmedMessages: 0,
      evaluatedTokens: result.promptTokens,
      cachedTokens: 0,
      generationMs: firstToken === null ? 0 : performance.now() - firstToken,
    };
  }

  private async client(): Promise<OpenAiClient> {
    const { remoteBaseUrl, remoteTimeoutS } = this.options.settings.get();
    if (!remoteBaseUrl) throw new AssistantError(ErrorCode.RemoteFailed, 'No remote server is configured (remoteBaseUrl is empty).');
    const getSecret = this.options.getSecret();
    const apiKey = getSecret ? await getSecret(knownSecrets.remoteApiKey).catch(() => null) : null;
    return new OpenAiClient({ network: this.options.network, baseUrl: remoteBaseUrl, apiKey, timeoutMs: remoteTimeoutS * 1000 });
  }

  private configuredState(): RemoteBackendState {
    const { remoteUse, remoteBaseUrl } = this.options.settings.get();
    if (remoteUse === 'off' || remoteBaseUrl === null) return { status: 'off', baseUrl: remoteBaseUrl, reason: null };
    return { status: 'ok', baseUrl: remoteBaseUrl, reason: null };
  }

  private set(state: RemoteBackendState): void {
    this.current = state;
    this.changed.fire(state);
  }
}

function normalize(vector: Float32Array): Float32Array {
  let sum = 0;
  for (const value of vector) sum += value * value;
  const norm = Math.sqrt(sum);
  if (norm > 0) for (let i = 0; i < vector.length; i++) vector[i]! /= norm;
  return vector;
}
