import { createHash } from 'node:crypto';
import type { GenerateInput } from '../../common/contract/inferenceContract.js';
import { type Settings, settingsGroups, settingsLayout } from '../../common/settings.js';
import { HttpError } from './HttpError.js';
import { type ChatCompletionRequest, messageText } from './openAiSchemas.js';

/** The worker input of a local API chat request within the API's limits; anything over them is refused with 400 naming the field. */
export type ApiChatInput = GenerateInput & { maxTokens: number };

/** A setting named for a client: its key and where the Settings panel shows it. */
export function settingPlace(key: keyof Settings): string {
  const { group, label } = settingsLayout[key];
  const title = settingsGroups.find((candidate) => candidate.id === group)!.title;
  return `${key} ("${label}" in Settings → ${title})`;
}

function refuse(param: string, message: string): HttpError {
  return new HttpError(400, message, 'invalid_request_error', param);
}

/**
 * Checks a chat request against the settings' limits (messages, characters, reply tokens) and builds the
 * worker's input: API priority, the reply's wall-time limit, and a cache key from the system prompt and the
 * first user message, so a stateless client sending its conversation again lands on the same cached context.
 */
export function apiChatInput(request: ChatCompletionRequest, settings: Settings): ApiChatInput {
  const { messages } = request;
  if (messages.length > settings.apiMaxMessages) {
    throw refuse('messages', `messages: ${messages.length} messages are more than the ${settings.apiMaxMessages} one local API request may send: raise ${settingPlace('apiMaxMessages')} to allow more.`);
  }
  const chars = messages.reduce((sum, message) => sum + messageText(message).length, 0);
  if (chars > settings.apiMaxInputChars) {
    throw refuse('messages', `messages: ${chars} characters are more than the ${settings.apiMaxInputChars} one local API request may send: raise ${settingPlace('apiMaxInputChars')} to allow more.`);
  }
  for (const param of ['max_completion_tokens', 'max_tokens'] as const) {
    const asked = request[param];
    if (asked != null && asked > settings.apiMaxTokens) {
      throw refuse(param, `${param} ${asked} is more than the ${settings.apiMaxTokens} tokens a local API reply may have: raise ${settingPlace('apiMaxTokens')} to allow more.`);
    }
  }
  const system = messages.filter((message) => message.role === 'system' || message.role === 'developer');
  const turns = messages.filter((message) => message.role === 'user' || message.role === 'assistant');
  const last = turns.at(-1);
  if (!last || last.role !== 'user' || !messageText(last).trim()) throw refuse('messages', 'messages: the last user or assistant message must be a non-empty user message.');
  // No system message means the user's own system prompt from Settings.
  const systemPrompt = system.length > 0 ? system.map(messageText).join('\n\n') : settings.systemPrompt;
  const firstUser = messageText(turns.find((message) => message.role === 'user')!);
  return {
    systemPrompt,
    history: turns.slice(0, -1).map((message) => ({ role: message.role as 'user' | 'assistant', text: messageText(message) })),
    prompt: messageText(last),
    // The user's chat setting is the default, but never above the API's own limit.
    maxTokens: request.max_completion_tokens ?? request.max_tokens ?? Math.min(settings.maxTokens, settings.apiMaxTokens),
    temperature: request.temperature ?? settings.temperature,
    seed: request.seed ?? undefined,
    priority: 'api',
    maxWallMs: settings.apiMaxReplySeconds * 1000,
    cacheKey: `api:${createHash('sha256').update(JSON.stringify([systemPrompt, firstUser])).digest('hex').slice(0, 16)}`,
  };
}

/** Refuses a reply length the model's context cannot hold (known once the model is loaded). */
export function checkReplyFitsContext(request: ChatCompletionRequest, contextSize: number | null): void {
  const param = request.max_completion_tokens != null ? 'max_completion_tokens' : 'max_tokens';
  const asked = request[param];
  if (asked == null || contextSize === null || asked <= contextSize) return;
  throw refuse(param, `${param} ${asked} is more than the model's context of ${contextSize} tokens, which holds the prompt and the reply: ask for fewer, or raise ${settingPlace('contextSize')}.`);
}
