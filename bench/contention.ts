import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { silentLogger } from '@assistant/core/node';
import { createNodeHost } from '../apps/desktop/src/node/createNodeHost.js';
import { benchModelPath, benchPrompt, benchSystemPrompt } from './bareChat.js';
import { type StreamedCompletion, serveLocalApi, streamChatCompletion } from './localApiClient.js';
import { median, printReport, round } from './report.js';
import { answerable, ingestFolder, squadArticles, squadDevFile, writeArticles } from './squad.js';
import { connectClient } from './connectClient.js';

/**
 * Eight grounded user turns, each sent twice in alternation: on an idle worker, and while a long local API
 * stream is generating (started before the turn, streaming when it is sent). The user's time to first token
 * under contention against idle (target at most 2), and the API stream's tokens per second while it shares
 * against alone.
 */
export async function benchContention(argv: string[]): Promise<void> {
  // Options: --model PATH, --squad FILE, --turns N (default 8), --tokens N (user reply length, default 16),
  // --sequences N (contextSequences; 1 shows what a single shared sequence costs the user).
  const { values } = parseArgs({ args: argv, options: { model: { type: 'string' }, squad: { type: 'string' }, turns: { type: 'string', default: '8' }, tokens: { type: 'string', default: '16' }, sequences: { type: 'string' } } });
  const modelPath = benchModelPath('contention', values.model);
  const squadFile = squadDevFile('contention', values.squad);
  const turns = Number(values.turns);
  const maxTokens = Number(values.tokens);

  const home = fs.mkdtempSync(path.join(os.tmpdir(), 'bench-contention-'));
  const docs = path.join(home, 'articles');
  const { first, articles } = squadArticles(squadFile, '0-3');
  writeArticles(docs, first, articles);
  const host = await createNodeHost({ home, modelsDir: path.dirname(modelPath), model: modelPath, logger: silentLogger });
  const client = connectClient(host);
  await client.call('settings.update', { temperature: 0, maxTokens, systemPrompt: benchSystemPrompt, ...(values.sequences ? { contextSequences: Number(values.sequences) } : {}) });
  await ingestFolder(client, docs);
  const url = await serveLocalApi(host);
  const loaded = await host.chatModel.ensureLoaded().then(() => host.chatModel.state);
  // The longest reply the context leaves room for: the API stream outlasts the user's turn.
  const apiTokens = Math.min(host.settings.get().apiMaxTokens, (loaded.contextSize ?? 2048) - 128);
  const apiBody = { messages: [{ role: 'system', content: 'You tell long stories.' }, { role: 'user', content: benchPrompt }], max_tokens: apiTokens, temperature: 0.8 };

  const questions = answerable(articles).filter((_, i) => i % 40 === 0).slice(0, turns).map((qa) => qa.question);
  let run = 0;
  const userTurn = async (question: string) => {
    // A system prompt of its own each time: no turn finds its prompt in a sequence's cache, so both sides evaluate it all.
    await client.call('settings.update', { systemPrompt: `${benchSystemPrompt} (Run ${++run}.)` });
    let firstText = 0;
    const start = performance.now();
    await client.stream('chat.send', { text: question }, { onItem: (item) => item.type === 'text' && (firstText ||= performance.now()) });
    return firstText - start;
  };

  /** One long API stream; `streaming` resolves at its first token, `running` says whether it still streams. */
  const apiStream = () => {
    let markStreaming!: () => void;
    const streaming = new Promise<void>((resolve) => (markStreaming = resolve));
    const state = { running: true };
    const result = streamChatCompletion(url, apiBody, { onText: () => markStreaming() }).finally(() => (state.running = false));
    return { streaming, result, state };
  };

  // Warm-up: a turn each way, and the API stream's speed alone.
  await userTurn(questions[0]!);
  const alone: StreamedCompletion[] = [];
  for (let i = 0; i < 2; i++) alone.push(await streamChatCompletion(url, apiBody));

  const idle: number[] = [];
  const shared: number[] = [];
  const sharedApi: StreamedCompletion[] = [];
  let overlapped = 0;
  for (const question of questions) {
    idle.push(await userTurn(question));
    const api = apiStream();
    await api.streaming;
    shared.push(await userTurn(question));
    // Whether the API stream was still generating when the user's reply was done: the turn really shared.
    if (api.state.running) overlapped++;
    sharedApi.push(await api.result);
  }
  client.dispose();
  await host.dispose();
  fs.rmSync(home, { recursive: true, force: true });

  const ratios = shared.map((ms, i) => ms / idle[i]!);
  const apiAlone = median(alone.map((r) => r.tokensPerS));
  const apiShared = median(sharedApi.map((r) => r.tokensPerS));
  printReport(
    'contention',
    questions.map((question, i) => ({ turn: i + 1, 'TTFT ms idle': round(idle[i]!, 1), 'TTFT ms with API stream': round(shared[i]!, 1), ratio: round(ratios[i]!, 2), question: question.slice(0, 48) })),
    {
      model: path.basename(modelPath),
      context_sequences: host.settings.get().contextSequences,
      turns: questions.length,
      turns_during_api_stream: overlapped,
      api_max_tokens: apiTokens,
      user_ttft_idle_ms: round(median(idle), 2),
      user_ttft_contended_ms: round(median(shared), 2),
      // Target at most 2.
      user_ttft_contended_to_idle_ratio: round(median(shared) / median(idle), 3),
      user_ttft_contended_to_idle_max_ratio: round(Math.max(...ratios), 3),
      api_tokens_per_s_alone: round(apiAlone, 1),
      api_tokens_per_s_sharing: round(apiShared, 1),
      api_tokens_per_s_sharing_ratio: round(apiShared / apiAlone, 3),
    },
  );
}
