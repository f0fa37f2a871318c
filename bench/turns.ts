import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { type Citation, type MessageStats, citationLabel, groundedPrompt } from '@assistant/core';
import { silentLogger } from '@assistant/core/node';
import { createNodeHost } from '../apps/desktop/src/node/createNodeHost.js';
import { benchModelPath, benchSystemPrompt, createBareChat } from './bareChat.js';
import { serveLocalApi, streamChatCompletion } from './localApiClient.js';
import { median, printReport, round } from './report.js';
import { answerable, ingestFolder, squadArticles, squadDevFile, writeArticles } from './squad.js';
import { connectClient } from './connectClient.js';

/**
 * An eight-turn conversation over the shared documents, with a local API request and a turn in another
 * conversation between turns 4 and 5. Per turn, from the context sequence's token meter: the prompt tokens
 * evaluated against the tokens new this turn (the previous reply, the question and its passages), and time
 * to first token against bare node-llama-cpp given the same history and prompt on its own sequence.
 */
export async function benchTurns(argv: string[]): Promise<void> {
  // Options: --model PATH, --squad FILE, --article N (default 0), --tokens N (reply length, default 48),
  // --rounds N (the conversation again, as new conversations, for medians; default 3).
  const { values } = parseArgs({ args: argv, options: { model: { type: 'string' }, squad: { type: 'string' }, article: { type: 'string', default: '0' }, tokens: { type: 'string', default: '48' }, rounds: { type: 'string', default: '3' } } });
  const rounds = Number(values.rounds);
  const modelPath = benchModelPath('turns', values.model);
  const squadFile = squadDevFile('turns', values.squad);
  const maxTokens = Number(values.tokens);
  const article = Number(values.article);
  // The development split only (articles 0-7): the conversation asks about one, the interruption about the next.
  if (!(article >= 0 && article <= 6)) throw new Error('--article must be 0-6 (the development split is articles 0-7).');

  const bareChat = await createBareChat(modelPath);
  const { threads, contextSize } = bareChat;
  const home = fs.mkdtempSync(path.join(os.tmpdir(), 'bench-turns-'));
  const docs = path.join(home, 'articles');
  const { first, articles } = squadArticles(squadFile, `${article}-${article + 1}`);
  writeArticles(docs, first, articles);
  const host = await createNodeHost({ home, modelsDir: path.dirname(modelPath), model: modelPath, logger: silentLogger });
  const client = connectClient(host);
  await client.call('settings.update', { temperature: 0, maxTokens, threads, contextSize, systemPrompt: benchSystemPrompt });
  await ingestFolder(client, docs);
  const url = await serveLocalApi(host);

  // Eight questions spread over the article, one about the next article for the other conversation.
  const own = answerable([articles[0]!]);
  const questions = Array.from({ length: 8 }, (_, i) => own[Math.floor((i * own.length) / 8)]!.question);
  const elsewhere = answerable([articles[1]!])[0]!.question;

  // The model loaded in the worker before the first timed turn, as in the other benches' warm-up.
  await host.chatModel.ensureLoaded();
  const perTurn = questions.map(() => ({ fresh: [] as number[], evaluated: [] as number[], cached: [] as number[], bareEvaluated: [] as number[], passages: [] as number[], app: [] as number[], bare: [] as number[] }));
  for (let round = 0; round < rounds; round++) {
    const history: { role: 'user' | 'assistant'; text: string }[] = [];
    let conversationId: string | undefined;
    let previousAsked: readonly number[] = [];
    for (let turn = 1; turn <= questions.length; turn++) {
      const question = questions[turn - 1]!;
      if (turn === 5) {
        // Between turns 4 and 5: another program asks the local API, and the user opens another conversation.
        await streamChatCompletion(url, { messages: [{ role: 'system', content: 'You write haiku.' }, { role: 'user', content: `A haiku about the sea, number ${round}.` }], max_tokens: maxTokens, temperature: 0 });
        await client.stream('chat.send', { text: elsewhere }, { onItem: () => {} });
      }
      let citations: Citation[] = [];
      let firstText = 0;
      const start = performance.now();
      const result = await client.stream('chat.send', { text: question, conversationId }, {
        onItem: (item) => {
          if (item.type === 'start') conversationId = item.conversation.id;
          if (item.type === 'sources') citations = item.citations;
          if (item.type === 'text') firstText ||= performance.now();
        },
      });
      const stats: MessageStats = result.stats;
      // What the worker evaluated, rebuilt from what it said it packed: the bare engine gets exactly this.
      const prompt = groundedPrompt(question, citations.map((citation) => ({ label: citationLabel(citation), text: citation.text })));
      // New this turn: what this turn's prompt holds beyond the previous turn's prompt as the engine read it
      // (the previous reply, this question and its passages, with the chat template's markers around them).
      const rendered = bareChat.renderPrompt(history, prompt);
      const bare = await bareChat.runTurn(history, prompt, maxTokens);
      const row = perTurn[turn - 1]!;
      row.fresh.push(rendered.length - commonPrefix(rendered, previousAsked));
      row.evaluated.push(stats.promptTokens);
      row.cached.push(stats.cachedTokens);
      row.bareEvaluated.push(bare.evaluatedTokens);
      row.passages.push(stats.passages);
      row.app.push(firstText - start);
      row.bare.push(bare.ttftMs);
      previousAsked = rendered;
      history.push({ role: 'user', text: question }, { role: 'assistant', text: result.message.text });
    }
  }
  client.dispose();
  await host.dispose();
  await bareChat.dispose();
  fs.rmSync(home, { recursive: true, force: true });

  const ratioOf = (row: (typeof perTurn)[number]) => median(row.evaluated) / median(row.fresh);
  const rows = perTurn.map((row, i) => ({
    turn: i + 1,
    passages: median(row.passages),
    'new tokens': median(row.fresh),
    'evaluated (app)': median(row.evaluated),
    'cached (app)': median(row.cached),
    'evaluated / new': round(ratioOf(row), 3),
    'evaluated (bare)': median(row.bareEvaluated),
    'TTFT ms app': round(median(row.app), 1),
    'TTFT ms bare': round(median(row.bare), 1),
  }));
  const later = perTurn.slice(1);
  const appTtft = median(later.flatMap((row) => row.app));
  const bareTtft = median(later.flatMap((row) => row.bare));
  printReport('turns', rows, {
    model: path.basename(modelPath),
    threads,
    context_size: contextSize,
    max_tokens: maxTokens,
    rounds,
    // Target from turn 2 on, turn 5 (after an API call and another conversation) included: at most 1.1.
    evaluated_to_new_max_ratio: round(Math.max(...later.map(ratioOf)), 3),
    turn5_evaluated_to_new_ratio: round(ratioOf(perTurn[4]!), 3),
    app_evaluated_to_bare_ratio: round(later.reduce((sum, row) => sum + median(row.evaluated), 0) / later.reduce((sum, row) => sum + median(row.bareEvaluated), 0), 3),
    app_ttft_ms_median: round(appTtft, 2),
    bare_ttft_ms_median: round(bareTtft, 2),
    ttft_ratio: round(appTtft / bareTtft, 3),
  });
}

function commonPrefix(a: readonly number[], b: readonly number[]): number {
  let i = 0;
  while (i < a.length && i < b.length && a[i] === b[i]) i++;
  return i;
}
