import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { type SecretStore, SseParser, silentLogger } from '@assistant/core/node';
import { createNodeHost } from '../apps/desktop/src/node/createNodeHost.js';
import { type BareRun as Run, benchModelPath, benchPrompt, benchSystemPrompt as systemPrompt, createBareChat, interleaveRuns } from './bareChat.js';
import { printReport, round } from './report.js';

const prompt = benchPrompt;

/**
 * The same prompt streamed through the local OpenAI-compatible API (HTTP, SSE parsed on the client side,
 * host, worker process) and through bare node-llama-cpp in this process: same model, threads, context,
 * greedy sampling and reply length; runs interleaved so drift hits both.
 */
export async function benchApi(argv: string[]): Promise<void> {
  const { values } = parseArgs({ args: argv, options: { model: { type: 'string' }, runs: { type: 'string', default: '5' }, tokens: { type: 'string', default: '256' }, threads: { type: 'string', default: '0' } } });
  const modelPath = benchModelPath('api', values.model);
  const runs = Number(values.runs);
  const maxTokens = Number(values.tokens);

  const bareChat = await createBareChat(modelPath, Number(values.threads));
  const { threads, contextSize } = bareChat;
  const bare = () => bareChat.run(prompt, maxTokens);

  const home = fs.mkdtempSync(path.join(os.tmpdir(), 'bench-api-'));
  const host = await createNodeHost({ home, modelsDir: path.dirname(modelPath), model: modelPath, logger: silentLogger });
  // The key lives in memory for the bench: the machine may have no keychain.
  const key = 'sk-local-bench';
  host.api.attach({ secrets: { backend: 'keychain', reason: null, get: async () => key, set: async () => {} } satisfies Pick<SecretStore, 'get' | 'set' | 'backend' | 'reason'> });
  host.settings.update({ temperature: 0, maxTokens, apiMaxTokens: Math.max(maxTokens, 2048), threads, contextSize, systemPrompt });
  const { url, error } = await host.api.enableForRun(0);
  if (!url) throw new Error(`The local API did not start: ${error}`);

  const api = async (): Promise<Run> => {
    let first = 0;
    let tokens = 0;
    const start = performance.now();
    const response = await fetch(`${url}/chat/completions`, {
      method: 'POST',
      headers: { Authorization: `Bearer ${key}`, 'Content-Type': 'application/json' },
      body: JSON.stringify({ messages: [{ role: 'system', content: systemPrompt }, { role: 'user', content: prompt }], max_tokens: maxTokens, temperature: 0, stream: true, stream_options: { include_usage: true } }),
    });
    if (!response.ok || !response.body) throw new Error(`The local API answered HTTP ${response.status}: ${await response.text()}`);
    const parser = new SseParser();
    const decoder = new TextDecoder();
    for await (const bytes of response.body as unknown as AsyncIterable<Uint8Array>) {
      for (const event of parser.feed(decoder.decode(bytes, { stream: true }))) {
        if (event.data === '[DONE]') continue;
        const chunk = JSON.parse(event.data) as { choices: { delta: { content?: string } }[]; usage?: { completion_tokens: number } };
        if (chunk.choices[0]?.delta.content) first ||= performance.now();
        if (chunk.usage) tokens = chunk.usage.completion_tokens;
      }
    }
    const end = performance.now();
    return { ttftMs: first - start, tokens, tokensPerS: tokens / ((end - first) / 1000) };
  };

  const { app: apiSummary, bare: bareSummary } = await interleaveRuns(runs, api, bare);
  await host.dispose();
  await bareChat.dispose();

  printReport(
    'api',
    [
      { path: 'local API (HTTP → SSE → host → worker)', 'tokens/s (median)': apiSummary.tokensPerS, 'TTFT ms (median)': apiSummary.ttftMs, tokens: apiSummary.tokens },
      { path: 'bare node-llama-cpp', 'tokens/s (median)': bareSummary.tokensPerS, 'TTFT ms (median)': bareSummary.ttftMs, tokens: bareSummary.tokens },
    ],
    {
      model: path.basename(modelPath),
      threads,
      context_size: contextSize,
      runs,
      max_tokens: maxTokens,
      api_tokens_per_s: round(apiSummary.tokensPerS, 1),
      bare_tokens_per_s: round(bareSummary.tokensPerS, 1),
      api_ttft_ms: round(apiSummary.ttftMs, 2),
      bare_ttft_ms: round(bareSummary.ttftMs, 2),
      tokens_per_s_ratio: round(apiSummary.tokensPerS / bareSummary.tokensPerS),
      ttft_ratio: round(apiSummary.ttftMs / bareSummary.ttftMs),
    },
  );
}
