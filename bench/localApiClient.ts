import { type AssistantHost, type SecretStore, SseParser } from '@assistant/core/node';

/** The key the benches serve the local API with: in memory, as the machine may have no keychain. */
const benchKey = 'sk-local-bench';

/** Serves the host's local API on a free port for this run; returns its base URL. */
export async function serveLocalApi(host: AssistantHost): Promise<string> {
  host.api.attach({ secrets: { backend: 'keychain', reason: null, get: async () => benchKey, set: async () => {} } satisfies Pick<SecretStore, 'get' | 'set' | 'backend' | 'reason'> });
  const { url, error } = await host.api.enableForRun(0);
  if (!url) throw new Error(`The local API did not start: ${error}`);
  return url;
}

export interface StreamedCompletion {
  ttftMs: number;
  tokens: number;
  tokensPerS: number;
  text: string;
}

/** One streamed chat completion over HTTP, timed on the client side; `onText` sees each streamed piece. */
export async function streamChatCompletion(url: string, body: Record<string, unknown>, options: { signal?: AbortSignal; onText?: (text: string) => void } = {}): Promise<StreamedCompletion> {
  const { signal } = options;
  let first = 0;
  let tokens = 0;
  let text = '';
  const start = performance.now();
  const response = await fetch(`${url}/chat/completions`, {
    method: 'POST',
    headers: { Authorization: `Bearer ${benchKey}`, 'Content-Type': 'application/json' },
    body: JSON.stringify({ ...body, stream: true, stream_options: { include_usage: true } }),
    signal,
  });
  if (!response.ok || !response.body) throw new Error(`The local API answered HTTP ${response.status}: ${await response.text()}`);
  const parser = new SseParser();
  const decoder = new TextDecoder();
  for await (const bytes of response.body as unknown as AsyncIterable<Uint8Array>) {
    for (const event of parser.feed(decoder.decode(bytes, { stream: true }))) {
      if (event.data === '[DONE]') continue;
      const chunk = JSON.parse(event.data) as { choices: { delta: { content?: string } }[]; usage?: { completion_tokens: number } };
      const content = chunk.choices[0]?.delta.content;
      if (content) {
        first ||= performance.now();
        text += content;
        options.onText?.(content);
      }
      if (chunk.usage) tokens = chunk.usage.completion_tokens;
    }
  }
  const end = performance.now();
  return { ttftMs: first - start, tokens, tokensPerS: tokens / ((end - first) / 1000), text };
}
