import { parseArgs } from 'node:util';
import { silentLogger } from '@assistant/core/node';
import { fork } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { createNodeHost } from '../apps/desktop/src/node/createNodeHost.js';
import { type BareRun as Run, benchModelPath, benchPrompt, benchSystemPrompt as systemPrompt, createBareChat, interleaveRuns } from './bareChat.js';
import { median, printReport, round } from './report.js';
import { connectClient } from './connectClient.js';

const prompt = benchPrompt;

/**
 * The same prompt through the app (host, RPC, worker process, streaming) and through bare node-llama-cpp
 * in this process: same model, threads, context, greedy sampling; runs interleaved so drift hits both.
 */
export async function benchLlm(argv: string[]): Promise<void> {
  const { values } = parseArgs({ args: argv, options: { model: { type: 'string' }, runs: { type: 'string', default: '5' }, tokens: { type: 'string', default: '256' }, threads: { type: 'string', default: '0' } } });
  const modelPath = benchModelPath('llm', values.model);
  const runs = Number(values.runs);
  const maxTokens = Number(values.tokens);

  // 0 (the default) measures the app's own choice; --threads N compares another count.
  const bareChat = await createBareChat(modelPath, Number(values.threads));
  const { threads, contextSize } = bareChat;
  const bare = () => bareChat.run(prompt, maxTokens);

  const home = fs.mkdtempSync(path.join(os.tmpdir(), 'bench-llm-'));
  const host = await createNodeHost({ home, modelsDir: path.dirname(modelPath), model: modelPath, logger: silentLogger });
  const client = connectClient(host);
  await client.call('settings.update', { temperature: 0, maxTokens, threads, contextSize, systemPrompt });

  const app = async (): Promise<Run> => {
    let first = 0;
    const start = performance.now();
    const result = await client.stream('chat.send', { text: prompt }, { onItem: (item) => item.type === 'text' && (first ||= performance.now()) });
    const end = performance.now();
    return { ttftMs: first - start, tokens: result.stats.completionTokens, tokensPerS: result.stats.completionTokens / ((end - first) / 1000) };
  };

  const { app: appSummary, bare: bareSummary } = await interleaveRuns(runs, app, bare);
  client.dispose();
  await host.dispose();
  await bareChat.dispose();

  const ipcFloorMs = await idleIpcRoundTrip();
  printReport(
    'llm',
    [
      { path: 'app (host → RPC → worker → stream)', 'tokens/s (median)': appSummary.tokensPerS, 'TTFT ms (median)': appSummary.ttftMs, tokens: appSummary.tokens },
      { path: 'bare IPC echo round trip after 50 ms idle (the process-boundary floor)', 'tokens/s (median)': '', 'TTFT ms (median)': ipcFloorMs, tokens: '' },
      { path: 'bare node-llama-cpp', 'tokens/s (median)': bareSummary.tokensPerS, 'TTFT ms (median)': bareSummary.ttftMs, tokens: bareSummary.tokens },
    ],
    {
      model: path.basename(modelPath),
      threads,
      context_size: contextSize,
      runs,
      max_tokens: maxTokens,
      app_tokens_per_s: round(appSummary.tokensPerS, 1),
      bare_tokens_per_s: round(bareSummary.tokensPerS, 1),
      app_ttft_ms: round(appSummary.ttftMs, 2),
      bare_ttft_ms: round(bareSummary.ttftMs, 2),
      ipc_idle_rtt_ms: round(ipcFloorMs, 3),
      // What the app adds to time to first token beyond waking the worker process and back.
      ttft_added_beyond_ipc_ms: round(appSummary.ttftMs - bareSummary.ttftMs - ipcFloorMs, 2),
      tokens_per_s_ratio: round(appSummary.tokensPerS / bareSummary.tokensPerS),
      ttft_ratio: round(appSummary.ttftMs / bareSummary.ttftMs),
    },
  );
}

/**
 * The least a process boundary costs on this machine: a request and a reply to an idle child process
 * (the worker sleeps between turns, and waking it is the bulk of the app's extra time to first token).
 */
export async function idleIpcRoundTrip(samples = 15): Promise<number> {
  const echo = path.join(fs.mkdtempSync(path.join(os.tmpdir(), 'bench-ipc-')), 'echo.mjs');
  fs.writeFileSync(echo, 'process.on("message", (m) => process.send(m));');
  const child = fork(echo, [], { serialization: 'advanced', stdio: ['ignore', 'inherit', 'inherit', 'ipc'] });
  await new Promise((resolve) => setTimeout(resolve, 300));
  const times: number[] = [];
  for (let i = 0; i < samples; i++) {
    await new Promise((resolve) => setTimeout(resolve, 50));
    const start = performance.now();
    await new Promise((resolve) => {
      child.once('message', resolve);
      child.send({ t: 'call', id: i, name: 'chat.generate', input: { prompt } });
    });
    times.push(performance.now() - start);
  }
  child.kill();
  return median(times);
}
