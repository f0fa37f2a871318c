import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { silentLogger } from '@assistant/core/node';
import { createNodeHost } from '../apps/desktop/src/node/createNodeHost.js';
import { type BareRun as Run, benchModelPath, benchPrompt, benchSystemPrompt as systemPrompt, createBareChat, interleaveRuns } from './bareChat.js';
import { serveLocalApi, streamChatCompletion } from './localApiClient.js';
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
  host.settings.update({ temperature: 0, maxTokens, apiMaxTokens: Math.max(maxTokens, 2048), threads, contextSize, systemPrompt });
  const url = await serveLocalApi(host);

  const api = (): Promise<Run> => streamChatCompletion(url, { messages: [{ role: 'system', content: systemPrompt }, { role: 'user', content: prompt }], max_tokens: maxTokens, temperature: 0 });

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
