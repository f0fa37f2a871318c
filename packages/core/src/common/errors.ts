/**
 * Error codes that cross process boundaries. Callers branch on `code`, never on `instanceof`: an error
 * that travelled over IPC or a WebSocket is a plain object by the time it arrives.
 */
export const ErrorCode = {
  InvalidInput: 'INVALID_INPUT',
  UnknownMethod: 'UNKNOWN_METHOD',
  NotFound: 'NOT_FOUND',
  Cancelled: 'CANCELLED',
  NoChatModel: 'NO_CHAT_MODEL',
  ModelNotFound: 'MODEL_NOT_FOUND',
  ModelInvalid: 'MODEL_INVALID',
  ModelLoadFailed: 'MODEL_LOAD_FAILED',
  PromptTooLong: 'PROMPT_TOO_LONG',
  GenerationFailed: 'GENERATION_FAILED',
  WorkerCrashed: 'WORKER_CRASHED',
  WorkerUnavailable: 'WORKER_UNAVAILABLE',
  TransportClosed: 'TRANSPORT_CLOSED',
  DownloadFailed: 'DOWNLOAD_FAILED',
  ChecksumMismatch: 'CHECKSUM_MISMATCH',
  NetworkBlocked: 'NETWORK_BLOCKED',
  Busy: 'BUSY',
  /** Documents: each names the file in its message. */
  DocumentUnsupported: 'DOCUMENT_UNSUPPORTED',
  DocumentUnreadable: 'DOCUMENT_UNREADABLE',
  DocumentInvalid: 'DOCUMENT_INVALID',
  DocumentEncrypted: 'DOCUMENT_ENCRYPTED',
  DocumentNoText: 'DOCUMENT_NO_TEXT',
  DocumentTooLarge: 'DOCUMENT_TOO_LARGE',
  NoEmbeddingModel: 'NO_EMBEDDING_MODEL',
  /** A voice engine (VAD, STT, TTS, the system voice) is missing or failed; the message says which and why. */
  VoiceEngineFailed: 'VOICE_ENGINE_FAILED',
  /** Listening or speaking cannot run now (engine missing, failed or its breaker open); the message says why. */
  VoiceUnavailable: 'VOICE_UNAVAILABLE',
  /** The remote backend failed (timeout, refused key, HTTP error, malformed stream, unreachable); the message says which. */
  RemoteFailed: 'REMOTE_FAILED',
  /** No secret can be stored (keychain locked, absent or not built, and no fallback); the message says why. */
  SecretsUnavailable: 'SECRETS_UNAVAILABLE',
  Internal: 'INTERNAL',
} as const;
export type ErrorCode = (typeof ErrorCode)[keyof typeof ErrorCode];

export interface ErrorPayload {
  code: ErrorCode;
  message: string;
}

/** The one error class of the project; `message` is a plain sentence a user can read. */
export class AssistantError extends Error {
  override readonly name = 'AssistantError';
  constructor(
    readonly code: ErrorCode,
    message: string,
    options?: { cause?: unknown },
  ) {
    super(message, options);
  }

  toPayload(): ErrorPayload {
    return { code: this.code, message: this.message };
  }
}

const knownCodes = new Set<string>(Object.values(ErrorCode));

export function isErrorPayload(value: unknown): value is ErrorPayload {
  return (
    typeof value === 'object' &&
    value !== null &&
    typeof (value as ErrorPayload).message === 'string' &&
    knownCodes.has((value as ErrorPayload).code)
  );
}

/** Turns anything thrown into the wire shape; unknown errors become INTERNAL with their message. */
export function toErrorPayload(error: unknown): ErrorPayload {
  if (error instanceof AssistantError) return error.toPayload();
  if (isErrorPayload(error)) return { code: error.code, message: error.message };
  if (isAbortError(error)) return { code: ErrorCode.Cancelled, message: 'Cancelled.' };
  const message = error instanceof Error ? error.message : String(error);
  return { code: ErrorCode.Internal, message: message || 'Unexpected error.' };
}

export function fromErrorPayload(payload: ErrorPayload): AssistantError {
  return new AssistantError(payload.code, payload.message);
}

export function errorCodeOf(error: unknown): ErrorCode {
  return toErrorPayload(error).code;
}

export function isAbortError(error: unknown): boolean {
  return typeof error === 'object' && error !== null && (error as { name?: unknown }).name === 'AbortError';
}

export function cancelledError(): AssistantError {
  return new AssistantError(ErrorCode.Cancelled, 'Cancelled.');
}
