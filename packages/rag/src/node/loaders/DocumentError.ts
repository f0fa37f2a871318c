import path from 'node:path';
import { AssistantError, cancelledError, ErrorCode, isAbortError } from '@assistant/core';

/** The name a user recognises in a message: the file's base name. */
export function displayName(filePath: string): string {
  return path.basename(filePath) || filePath;
}

export function documentError(code: ErrorCode, message: string, cause?: unknown): AssistantError {
  return new AssistantError(code, message, cause === undefined ? undefined : { cause });
}

/** Throws the project's cancellation error when the signal has fired. */
export function throwIfAborted(signal: AbortSignal | undefined): void {
  if (signal?.aborted) throw cancelledError();
}

/** The parser's own words, short enough for a sentence. */
export function reasonOf(error: unknown): string {
  const raw = error instanceof Error ? error.message : String(error);
  const oneLine = raw.replace(/\s+/g, ' ').trim().replace(/\.$/, '');
  return oneLine.length > 160 ? `${oneLine.slice(0, 157)}...` : oneLine || 'unknown error';
}

/**
 * Maps whatever a parser threw to an AssistantError naming the file: our own errors pass through, aborts
 * become Cancelled, anything else means the file is damaged.
 */
export function asDocumentError(error: unknown, name: string, kind: string, signal?: AbortSignal): AssistantError {
  if (error instanceof AssistantError) return error;
  if (isAbortError(error) || signal?.aborted) return cancelledError();
  return documentError(ErrorCode.DocumentInvalid, `${name} is damaged or not a valid ${kind} (${reasonOf(error)}).`, error);
}
