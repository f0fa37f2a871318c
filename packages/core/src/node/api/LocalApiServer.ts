import { createHash, randomUUID, timingSafeEqual } from 'node:crypto';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import type { z } from 'zod';
import { toErrorPayload, ErrorCode } from '../../common/errors.js';
import type { Logger } from '../logger.js';
import { type ChatCompletionRequest, type EmbeddingsRequest, chatCompletionRequestSchema, describeZodError, embeddingsRequestSchema, speechRequestSchema } from './openAiSchemas.js';
import { HttpError } from './HttpError.js';
import { MultipartError, readMultipartFile } from './readMultipartFile.js';
import { RefusalTally } from './RefusalTally.js';

/** After a refusal, the rest of the body is read and discarded for at most this long, and this much, before the connection is closed anyway. */
const lingerMs = 10_000;
const lingerBytes = 256 * 1024 * 1024;
/** A streamed reply whose client reads nothing for this long (write() asked to wait and no drain came) is cancelled and its connection closed. */
const defaultStallMs = 30_000;

export interface LocalApiChatResult {
  text: string;
  finishReason: 'stop' | 'length';
  promptTokens: number;
  completionTokens: number;
}

/** What the server answers with; ApiService binds these to the host's models. */
export interface LocalApiHandlers {
  models(): { id: string; kind: 'chat' | 'embedding' }[];
  chat(request: ChatCompletionRequest, options: { signal: AbortSignal; onText(text: string): void }): Promise<LocalApiChatResult & { model: string }>;
  embed(request: EmbeddingsRequest, signal: AbortSignal): Promise<{ vectors: Float32Array[]; model: string }>;
  /** Speech as a WAV file; absent when the app has no voice. */
  speech?(text: string, signal: AbortSignal): Promise<Uint8Array>;
  /** The transcript of an uploaded recording (WAV); absent when the app has no voice. */
  transcribe?(wav: Uint8Array, signal: AbortSignal): Promise<string>;
  /** This session's metrics as Prometheus text (GET /metrics); absent without a metrics service. */
  metrics?(): Promise<{ contentType: string; text: string }>;
}

export interface LocalApiServerOptions {
  /** 127.0.0.1 only: the API is for programs on this computer. 0 picks a free port (tests). */
  port: number;
  key: string;
  handlers: LocalApiHandlers;
  logger: Logger;
  onAudit?: (summary: string, details: Record<string, unknown>) => void;
  /** Largest request body; bigger ones get 413 before they are read. */
  maxBodyBytes?: number;
  /** How long a stream may wait for its client to read (default 30 s). */
  stallMs?: number;
  now?: () => number;
}

const statusOfCode: Partial<Record<string, number>> = {
  [ErrorCode.InvalidInput]: 400,
  [ErrorCode.PromptTooLong]: 400,
  [ErrorCode.NoChatModel]: 503,
  [ErrorCode.NoEmbeddingModel]: 503,
  [ErrorCode.ModelNotFound]: 503,
  [ErrorCode.WorkerUnavailable]: 503,
  [ErrorCode.Busy]: 429,
  [ErrorCode.Cancelled]: 499,
  [ErrorCode.VoiceUnavailable]: 503,
};

/**
 * An OpenAI-compatible HTTP server on loopback (node:http: four routes do not need a framework, and the
 * body limit and disconnect handling are clearer by hand). Every call needs `Authorization: Bearer <key>`;
 * no CORS headers are sent, so web pages in a browser cannot read its answers.
 */
export class LocalApiServer {
  private readonly keyDigest: Buffer;
  private readonly maxBodyBytes: number;
  /** Calls without the right key: one audit row per source and minute, not one each. */
  private readonly refusals: RefusalTally;
  /** Why a call was cut off by the server, when not because its client went away. */
  private readonly cutOff = new WeakMap<http.ServerResponse, string>();

  private constructor(
    private readonly options: LocalApiServerOptions,
    private readonly server: http.Server,
    readonly url: string,
  ) {
    this.keyDigest = createHash('sha256').update(options.key).digest();
    this.maxBodyBytes = options.maxBodyBytes ?? 10 * 1024 * 1024;
    this.refusals = new RefusalTally({ onSummary: (summary, details) => options.onAudit?.(summary, details), now: options.now });
  }

  static async listen(options: LocalApiServerOptions): Promise<LocalApiServer> {
    const server = http.createServer();
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(options.port, '127.0.0.1', () => {
        server.off('error', reject);
        resolve();
      });
    });
    const { port } = server.address() as AddressInfo;
    const api = new LocalApiServer(options, server, `http://127.0.0.1:${port}/v1`);
    server.on('request', (req, res) => void api.handle(req, res));
    return api;
  }

  async close(): Promise<void> {
    await new Promise<void>((resolve) => {
      this.server.close(() => resolve());
      this.server.closeAllConnections();
    });
    this.refusals.flush();
  }

  private async handle(req: http.IncomingMessage, res: http.ServerResponse): Promise<void> {
    const started = (this.options.now ?? Date.now)();
    const route = `${req.method ?? 'GET'} ${(req.url ?? '/').split('?')[0]}`;
    // A client that goes away cancels its generation.
    const controller = new AbortController();
    res.on('close', () => {
      if (!res.writableFinished) controller.abort();
    });
    const refused = this.refusal(req.headers.authorization);
    const source = req.socket.remoteAddress ?? 'unknown';
    try {
      if (refused) throw new HttpError(401, 'Missing or wrong API key: send "Authorization: Bearer <key>" with the local API key (kept in the keychain under localApiKey).', 'authentication_error');
      await this.route(route, req, res, controller.signal);
    } catch (error) {
      this.fail(req, res, error);
    } finally {
      // The client went away before the answer was complete: what it asked for was cancelled.
      const cancelled = controller.signal.aborted;
      const stalled = this.cutOff.get(res);
      if (refused) this.refusals.record(source, route, refused);
      else {
        this.options.onAudit?.(`Local API ${route} answered ${res.statusCode}${cancelled ? `, cancelled: ${stalled ?? 'the client disconnected'}` : ''}`, {
          route,
          status: res.statusCode,
          ms: (this.options.now ?? Date.now)() - started,
          ...(cancelled ? { cancelled, reason: stalled ? 'stalled' : 'disconnected' } : {}),
        });
      }
    }
  }

  private async route(route: string, req: http.IncomingMessage, res: http.ServerResponse, signal: AbortSignal): Promise<void> {
    switch (route) {
      case 'GET /v1/models': {
        const created = Math.floor(Date.now() / 1000);
        return this.json(res, 200, { object: 'list', data: this.options.handlers.models().map((model) => ({ id: model.id, object: 'model', created, owned_by: 'local' })) });
      }
      case 'POST /v1/chat/completions':
        return this.chat(parse(chatCompletionRequestSchema, await this.readJson(req)), res, signal);
      case 'POST /v1/embeddings': {
        const request = parse(embeddingsRequestSchema, await this.readJson(req));
        const { vectors, model } = await this.options.handlers.embed(request, signal);
        const encode = (vector: Float32Array) => (request.encoding_format === 'base64' ? Buffer.from(vector.buffer, vector.byteOffset, vector.byteLength).toString('base64') : Array.from(vector));
        return this.json(res, 200, { object: 'list', model, data: vectors.map((vector, index) => ({ object: 'embedding', index, embedding: encode(vector) })), usage: { prompt_tokens: 0, total_tokens: 0 } });
      }
      case 'POST /v1/audio/speech': {
        const speech = this.options.handlers.speech;
        if (!speech) throw new HttpError(404, 'Speech is not part of this build of the app.', 'not_found_error');
        const request = parse(speechRequestSchema, await this.readJson(req));
        const wav = await speech(request.input, signal);
        res.writeHead(200, { 'Content-Type': 'audio/wav', 'Content-Length': wav.byteLength });
        res.end(wav);
        return;
      }
      case 'POST /v1/audio/transcriptions': {
        const transcribe = this.options.handlers.transcribe;
        if (!transcribe) throw new HttpError(404, 'Speech recognition is not part of this build of the app.', 'not_found_error');
        const upload = await readMultipartFile(req, { field: 'file', maxBytes: this.maxBodyBytes }).catch((error: unknown) => {
          throw error instanceof MultipartError ? new HttpError(error.status, error.message, 'invalid_request_error', error.param) : error;
        });
        const text = await transcribe(upload.file, signal);
        if (upload.fields.response_format === 'text') {
          res.writeHead(200, { 'Content-Type': 'text/plain; charset=utf-8' });
          res.end(text);
          return;
        }
        return this.json(res, 200, { text });
      }
      case 'GET /metrics': {
        const metrics = this.options.handlers.metrics;
        if (!metrics) throw new HttpError(404, 'Metrics are not part of this build of the app.', 'not_found_error');
        const { contentType, text } = await metrics();
        res.writeHead(200, { 'Content-Type': contentType });
        res.end(text);
        return;
      }
      default:
        throw new HttpError(404, `Unknown route ${route}: the local API serves GET /v1/models, POST /v1/chat/completions, POST /v1/embeddings, POST /v1/audio/speech, POST /v1/audio/transcriptions and GET /metrics.`, 'not_found_error');
    }
  }

  private async chat(request: ChatCompletionRequest, res: http.ServerResponse, signal: AbortSignal): Promise<void> {
    const id = `chatcmpl-${randomUUID()}`;
    const created = Math.floor(Date.now() / 1000);
    if (!request.stream) {
      const result = await this.options.handlers.chat(request, { signal, onText: () => {} });
      return this.json(res, 200, {
        id,
        object: 'chat.completion',
        created,
        model: result.model,
        choices: [{ index: 0, message: { role: 'assistant', content: result.text }, finish_reason: result.finishReason }],
        usage: { prompt_tokens: result.promptTokens, completion_tokens: result.completionTokens, total_tokens: result.promptTokens + result.completionTokens },
      });
    }
    const model = request.model ?? 'local';
    const chunk = (delta: Record<string, unknown>, finishReason: string | null) => ({ id, object: 'chat.completion.chunk', created, model, choices: [{ index: 0, delta, finish_reason: finishReason }] });
    const send = this.stallGuardedWriter(res);
    let headersSent = false;
    const start = () => {
      if (headersSent) return;
      headersSent = true;
      res.writeHead(200, { 'Content-Type': 'text/event-stream; charset=utf-8', 'Cache-Control': 'no-cache', Connection: 'keep-alive' });
      send(chunk({ role: 'assistant', content: '' }, null));
    };
    try {
      // Headers wait for the first token (or a quick failure), so errors before it still get a status code.
      const result = await this.options.handlers.chat(request, {
        signal,
        onText: (text) => {
          start();
          send(chunk({ content: text }, null));
        },
      });
      start();
      send(chunk({}, result.finishReason));
      if (request.stream_options?.include_usage) send({ id, object: 'chat.completion.chunk', created, model, choices: [], usage: { prompt_tokens: result.promptTokens, completion_tokens: result.completionTokens, total_tokens: result.promptTokens + result.completionTokens } });
      res.end('data: [DONE]\n\n');
    } catch (error) {
      if (!headersSent) throw error;
      // Mid-stream there is no status code left to set: the error travels as an event, without [DONE].
      if (!res.destroyed) res.end(`data: ${JSON.stringify({ error: { message: toErrorPayload(error).message, type: 'server_error' } })}\n\n`);
    }
  }

  /**
   * SSE events written to `res`. A client that stops reading fills the socket's buffers until write() asks
   * to wait for a drain; if none comes within stallMs, the connection is closed, which cancels the
   * generation (a reader that never reads would otherwise hold a context sequence and buffer the reply).
   */
  private stallGuardedWriter(res: http.ServerResponse): (payload: unknown) => void {
    const stallMs = this.options.stallMs ?? defaultStallMs;
    let timer: NodeJS.Timeout | null = null;
    const clear = () => {
      if (timer) clearTimeout(timer);
      timer = null;
    };
    res.on('drain', clear);
    res.once('finish', clear);
    res.once('close', clear);
    return (payload) => {
      if (res.destroyed || res.write(`data: ${JSON.stringify(payload)}\n\n`) || timer) return;
      timer = setTimeout(() => {
        this.cutOff.set(res, `the client stopped reading its stream (nothing read for ${stallMs / 1000} s)`);
        res.destroy();
      }, stallMs);
    };
  }

  /** Reads a JSON body of at most maxBodyBytes; a larger one is refused from its Content-Length or as it arrives. */
  private readJson(req: http.IncomingMessage): Promise<unknown> {
    const limit = this.maxBodyBytes;
    const tooLarge = () => new HttpError(413, `The request body is larger than ${limit / (1024 * 1024)} MB.`);
    const declared = Number(req.headers['content-length'] ?? NaN);
    if (declared > limit) return Promise.reject(tooLarge());
    return new Promise((resolve, reject) => {
      const chunks: Buffer[] = [];
      let size = 0;
      const onData = (chunk: Buffer) => {
        size += chunk.length;
        if (size > limit) {
          cleanup();
          req.pause();
          reject(tooLarge());
          return;
        }
        chunks.push(chunk);
      };
      const onEnd = () => {
        cleanup();
        const text = Buffer.concat(chunks).toString('utf8');
        try {
          resolve(JSON.parse(text) as unknown);
        } catch (error) {
          reject(new HttpError(400, `The request body is not valid JSON: ${(error as Error).message}.`));
        }
      };
      const onError = (error: Error) => {
        cleanup();
        reject(error);
      };
      const cleanup = () => {
        req.off('data', onData);
        req.off('end', onEnd);
        req.off('error', onError);
      };
      req.on('data', onData);
      req.on('end', onEnd);
      req.on('error', onError);
    });
  }

  /** Why a call is refused ('without a key', 'with a wrong key'), or null when it carries the key. */
  private refusal(header: string | undefined): string | null {
    const match = /^Bearer\s+(\S+)\s*$/i.exec(header ?? '');
    if (!match) return 'without a key';
    // Compared as digests so the comparison takes the same time whatever the key's length.
    return timingSafeEqual(createHash('sha256').update(match[1]!).digest(), this.keyDigest) ? null : 'with a wrong key';
  }

  private fail(req: http.IncomingMessage, res: http.ServerResponse, error: unknown): void {
    if (res.headersSent) {
      res.destroy();
      return;
    }
    let status: number;
    let body: { message: string; type: string; code: string | null; param: string | null };
    if (error instanceof HttpError) {
      status = error.status;
      body = { message: error.message, type: error.type, code: error.extra.code ?? null, param: error.param };
      for (const [name, value] of Object.entries(error.extra.headers ?? {})) res.setHeader(name, value);
    } else {
      const payload = toErrorPayload(error);
      status = statusOfCode[payload.code] ?? 500;
      if (status === 500) this.options.logger.warn('local API call failed', { ...payload });
      body = { message: payload.message, type: status >= 500 ? 'server_error' : 'invalid_request_error', code: payload.code, param: null };
    }
    if (!req.complete) this.lingerAfterRefusal(req, res);
    this.json(res, status, { error: body });
  }

  /**
   * A refusal (413, 401) sent before the body was read: the connection is closed after the answer, but only
   * once the client has stopped sending. Node would close a `Connection: close` socket as soon as the answer is
   * written, and closing a socket with data still arriving makes the kernel reset the connection: a client
   * still sending (one that asked to close, under load) then gets EPIPE and loses the 413 it had not read yet.
   * So the answer is followed by a half-close (FIN), the rest of the body is discarded as it comes (never
   * buffered), and the socket closes when the body ends or the client goes, or after lingerMs / lingerBytes.
   */
  private lingerAfterRefusal(req: http.IncomingMessage, res: http.ServerResponse): void {
    const socket = req.socket;
    res.setHeader('Connection', 'close');
    socket.destroySoon = () => {
      if (socket.writable) socket.end();
    };
    let discarded = 0;
    let flushed = false;
    let received = false;
    const close = () => {
      clearTimeout(timer);
      socket.destroy();
    };
    // Closed once the answer has left (the socket's write side finished) and nothing more is coming.
    const closeWhenDone = () => flushed && received && close();
    const timer = setTimeout(close, lingerMs);
    timer.unref();
    req.on('data', (chunk: Buffer) => {
      discarded += chunk.length;
      if (discarded > lingerBytes) close();
    });
    const done = () => {
      received = true;
      closeWhenDone();
    };
    req.once('end', done);
    socket.once('end', done);
    socket.once('finish', () => {
      flushed = true;
      closeWhenDone();
    });
    socket.once('close', () => clearTimeout(timer));
    req.resume();
  }

  private json(res: http.ServerResponse, status: number, body: unknown): void {
    const text = JSON.stringify(body);
    res.writeHead(status, { 'Content-Type': 'application/json; charset=utf-8', 'Content-Length': Buffer.byteLength(text) });
    res.end(text);
  }
}

function parse<S extends z.ZodType>(schema: S, body: unknown): z.output<S> {
  const result = schema.safeParse(body);
  if (!result.success) {
    const first = result.error.issues[0];
    throw new HttpError(400, `Invalid request: ${describeZodError(result.error)}.`, 'invalid_request_error', first && first.path.length > 0 ? first.path.join('.') : null);
  }
  return result.data;
}
