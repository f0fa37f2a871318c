import path from 'node:path';
import { AssistantError, cancelledError, ErrorCode, isAbortError } from '@assistant/core';

/**
 * Elements nested deeper than this are refused before a tree is built. Browsers' HTML parsers stop nesting at
 * 512 too; deeper trees are attacks or broken generators, and both the tree builder and every recursive walk
 * over the tree (Readability, the section walker) slow down or overflow the stack on them.
 */
export const MAX_NESTING = 512;

/** The markup nests elements deeper than {@link MAX_NESTING}. */
export class NestingTooDeepError extends Error {
  constructor() {
    super(`more than ${MAX_NESTING} levels of elements inside each other`);
    this.name = 'NestingTooDeepError';
  }
}

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
  // Structure too deep for a parser (caught early, or a recursive parser's stack ran out) is not damage.
  if (error instanceof NestingTooDeepError) return documentError(ErrorCode.DocumentInvalid, `${name} is nested too deeply (${error.message}).`, error);
  if (error instanceof RangeError && /call stack/i.test(error.message)) {
    return documentError(ErrorCode.DocumentInvalid, `${name} is nested too deeply for the ${kind} reader.`, error);
  }
  return documentError(ErrorCode.DocumentInvalid, `${name} is damaged or not a valid ${kind} (${reasonOf(error)}).`, error);
}

/** A read that failed, as the reason a person understands (missing, permission denied, a folder). */
export function unreadable(error: unknown, name: string, signal?: AbortSignal): AssistantError {
  const abortedOrOurs = asDocumentError(error, name, 'file', signal);
  if (abortedOrOurs.code !== ErrorCode.DocumentInvalid) return abortedOrOurs;
  const code = (error as { code?: unknown } | null)?.code;
  const why =
    code === 'ENOENT' ? 'it does not exist'
    : code === 'EACCES' || code === 'EPERM' ? 'permission denied'
    : code === 'EISDIR' ? 'it is a folder'
    : reasonOf(error);
  return documentError(ErrorCode.DocumentUnreadable, `${name} could not be read: ${why}.`, error);
}
