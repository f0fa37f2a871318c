import { z } from 'zod';

/**
 * The subset of the OpenAI REST API that the local API serves and the remote client speaks. Unknown
 * fields are accepted and ignored (clients send many), but the ones we use are checked.
 */
const contentPartSchema = z.object({ type: z.string(), text: z.string().optional() });

export const chatMessageSchema = z.object({
  role: z.enum(['system', 'developer', 'user', 'assistant', 'tool']),
  content: z.union([z.string(), z.array(contentPartSchema), z.null()]).optional(),
});
export type OpenAiChatMessage = z.output<typeof chatMessageSchema>;

export const chatCompletionRequestSchema = z.object({
  model: z.string().max(500).optional(),
  messages: z.array(chatMessageSchema).min(1, 'messages needs at least one message').max(10_000),
  stream: z.boolean().optional(),
  stream_options: z.object({ include_usage: z.boolean().optional() }).nullish(),
  max_tokens: z.number().int().min(1).max(32_768).nullish(),
  max_completion_tokens: z.number().int().min(1).max(32_768).nullish(),
  temperature: z.number().min(0).max(2).nullish(),
  seed: z.number().int().nullish(),
  n: z.literal(1, 'only n = 1 is supported').nullish(),
});
export type ChatCompletionRequest = z.output<typeof chatCompletionRequestSchema>;

export const embeddingsRequestSchema = z.object({
  model: z.string().max(500).optional(),
  input: z.union([z.string().min(1), z.array(z.string().min(1)).min(1).max(1024)], 'input must be a string or an array of 1 to 1024 non-empty strings (token arrays are not supported)'),
  encoding_format: z.enum(['float', 'base64']).optional(),
});
export type EmbeddingsRequest = z.output<typeof embeddingsRequestSchema>;

export const speechRequestSchema = z.object({
  model: z.string().max(500).optional(),
  input: z.string().min(1, 'input must not be empty').max(4096),
  voice: z.string().max(200).optional(),
  // The app's voices synthesise WAV; other formats would need an encoder this app does not ship.
  response_format: z.enum(['wav'], 'only wav is served').optional(),
});
export type SpeechRequest = z.output<typeof speechRequestSchema>;

/** What the remote client needs from a streamed chunk; anything else in it is ignored. */
export const chatChunkSchema = z.object({
  choices: z.array(z.object({ delta: z.object({ content: z.string().nullish() }).nullish(), finish_reason: z.string().nullish() })),
  usage: z.object({ prompt_tokens: z.number(), completion_tokens: z.number() }).nullish(),
});

export const embeddingsResponseSchema = z.object({
  data: z.array(z.object({ index: z.number().int(), embedding: z.array(z.number()) })).min(1),
});

/** "messages.2.content: Invalid input" → the field path and zod's sentence, for a 400 that names the field. */
export function describeZodError(error: z.ZodError): string {
  return error.issues
    .slice(0, 3)
    .map((issue) => `${issue.path.length > 0 ? issue.path.join('.') : 'body'}: ${issue.message}`)
    .join('; ');
}

/** The text of a message whose content may be a string or an array of parts. */
export function messageText(message: OpenAiChatMessage): string {
  if (typeof message.content === 'string') return message.content;
  if (!message.content) return '';
  return message.content.map((part) => part.text ?? '').join('');
}
