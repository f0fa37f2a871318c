// The grounded turn on SQuAD: articles A-B are ingested through the normal pipeline and every answerable
// question of them goes through the product's own turn (chat.send: relevance gate, retrieval, sentence
// selection, packing; retrieval-only without a chat model, which packs the same way by an estimate), then
// every question of articles C-D, which are not ingested, to see how many wrongly get sources.
// Usage: npm run eval:grounding -- --squad FILE --articles A-B --offtopic C-D [--model NAME|PATH]
//        [--embedding-model NAME|PATH] [--budget TOKENS] [--threshold X]
// Tune on the development split (articles 0-7) only.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { parseArgs } from 'node:util';
import type { Citation, ContractClient, HostContract } from '@assistant/core';
import { silentLogger } from '@assistant/core/node';
import { createNodeHost } from '../apps/desktop/src/node/createNodeHost.js';
import { percentile, printReport, round } from './report.js';
import { answerable, ingestFolder, type SquadQuestion, squadArticles, writeArticles } from './squad.js';
import { connectClient } from './connectClient.js';

const { values } = parseArgs({
  options: {
    squad: { type: 'string' },
    articles: { type: 'string' },
    offtopic: { type: 'string' },
    model: { type: 'string' },
    'embedding-model': { type: 'string' },
    budget: { type: 'string' },
    threshold: { type: 'string' },
  },
});
if (!values.squad || !values.articles || !values.offtopic) {
  console.error('Usage: npm run eval:grounding -- --squad FILE --articles A-B --offtopic C-D [--model NAME|PATH] [--embedding-model NAME|PATH] [--budget TOKENS] [--threshold X]');
  process.exit(2);
}
const onTopic = squadArticles(values.squad, values.articles);
const offTopic = squadArticles(values.squad, values.offtopic, '--offtopic');
const home = fs.mkdtempSync(path.join(os.tmpdir(), 'eval-grounding-'));
const docs = path.join(home, 'articles');
writeArticles(docs, onTopic.first, onTopic.articles);

// Without --model the turn is retrieval-only (keywords, estimated tokens): no other installed model is picked up.
const modelsDir = values.model ? path.dirname(path.resolve(values.model)) : fs.mkdtempSync(path.join(os.tmpdir(), 'eval-grounding-no-models-'));
const host = await createNodeHost({ home, logger: silentLogger, model: values.model ?? null, modelsDir });
const client = connectClient(host);

interface Turn {
  grounded: boolean;
  answerInContext: boolean;
  chars: number;
  tokens: number;
}

/** One question through the app's turn, as a new conversation. */
async function ask(question: SquadQuestion): Promise<Turn> {
  let citations: Citation[] = [];
  const result = await client.stream('chat.send', { text: question.question }, { onItem: (item) => item.type === 'sources' && (citations = item.citations) });
  const read = citations.map((citation) => citation.text);
  return {
    grounded: citations.length > 0,
    answerInContext: question.answers.some((answer) => read.some((text) => text.includes(answer.text))),
    chars: read.reduce((sum, text) => sum + text.length, 0),
    tokens: result.stats.passageTokens,
  };
}

/** The packing before this change, for comparison: fused top hits, whole passages up to a character budget. */
async function todaysPacking(client: ContractClient<HostContract>, question: SquadQuestion, maxChars: number): Promise<Turn> {
  const { hits } = await client.call('documents.search', { query: question.question, k: 10, mode: 'hybrid' });
  const texts: string[] = [];
  let used = 0;
  if (hits.some((hit) => hit.bm25Rank !== null)) {
    for (const hit of hits.filter((h) => h.bm25Rank !== null || (h.vectorRank !== null && h.vectorRank <= 3))) {
      if (texts.length >= 5 || (texts.length > 0 && used + hit.text.length > maxChars)) break;
      const text = texts.length === 0 ? hit.text.slice(0, maxChars) : hit.text;
      texts.push(text);
      used += text.length;
    }
  }
  return { grounded: texts.length > 0, answerInContext: question.answers.some((answer) => texts.some((text) => text.includes(answer.text))), chars: used, tokens: Math.ceil(used / 2.5) };
}

function summarize(turns: Turn[]) {
  const grounded = turns.filter((turn) => turn.grounded);
  const chars = grounded.map((turn) => turn.chars);
  const tokens = grounded.map((turn) => turn.tokens);
  const mean = (list: number[]) => (list.length ? list.reduce((a, b) => a + b, 0) / list.length : 0);
  return {
    grounded: round(grounded.length / turns.length),
    answerInContext: round(turns.filter((turn) => turn.answerInContext).length / turns.length),
    meanChars: Math.round(mean(chars)),
    p95Chars: chars.length ? percentile(chars, 95) : 0,
    meanTokens: Math.round(mean(tokens)),
    p95Tokens: tokens.length ? percentile(tokens, 95) : 0,
  };
}

try {
  const patch: Record<string, unknown> = { maxTokens: 1, temperature: 0 };
  if (values['embedding-model']) patch.embeddingModel = values['embedding-model'];
  if (values.budget) patch.passageBudget = Number(values.budget);
  if (values.threshold) patch.relevanceThreshold = Number(values.threshold);
  await client.call('settings.update', patch);
  await host.refreshModels();
  const ingestSeconds = await ingestFolder(client, docs);
  const state = await client.call('app.getState', {});
  const chatModel = state.setupNeeded ? null : state.chatModel.name;

  const onQuestions = answerable(onTopic.articles);
  const offQuestions = offTopic.articles.flatMap((article) => article.paragraphs.flatMap((paragraph) => paragraph.qas));
  const started = performance.now();
  const now = { on: [] as Turn[], off: [] as Turn[] };
  for (const question of onQuestions) now.on.push(await ask(question));
  for (const question of offQuestions) now.off.push(await ask(question));
  const msPerTurn = (performance.now() - started) / (onQuestions.length + offQuestions.length);

  // Today's budget: half the context in tokens at 2.5 characters each, the context guessed at 4,096
  // tokens before the model had loaded, or the loaded model's own.
  const window = (await client.call('app.getState', {})).chatModel.contextSize ?? 4096;
  const settings = await client.call('settings.get', {});
  const todayTokens = Math.max(256, Math.min(window * 0.5, window - Math.min(settings.maxTokens, window / 2) - 256));
  const today = { on: [] as Turn[], off: [] as Turn[] };
  for (const question of onQuestions) today.on.push(await todaysPacking(client, question, Math.floor(todayTokens * 2.5)));
  for (const question of offQuestions) today.off.push(await todaysPacking(client, question, Math.floor(todayTokens * 2.5)));

  const mine = summarize(now.on);
  const before = summarize(today.on);
  const offNow = summarize(now.off).grounded;
  const offBefore = summarize(today.off).grounded;
  const unit = chatModel ? `tokens (${chatModel})` : 'tokens (estimated)';
  printReport(
    'grounding',
    [
      { packing: 'gate + sentence windows (now)', grounded: mine.grounded, 'answer in context': mine.answerInContext, 'mean chars': mine.meanChars, 'p95 chars': mine.p95Chars, [`mean ${unit}`]: mine.meanTokens, [`p95 ${unit}`]: mine.p95Tokens, 'off-topic grounded': offNow },
      { packing: 'whole passages, no gate (before)', grounded: before.grounded, 'answer in context': before.answerInContext, 'mean chars': before.meanChars, 'p95 chars': before.p95Chars, [`mean ${unit}`]: '', [`p95 ${unit}`]: '', 'off-topic grounded': offBefore },
    ],
    {
      squad: path.basename(values.squad),
      articles: values.articles,
      offtopic: values.offtopic,
      questions: onQuestions.length,
      offtopic_questions: offQuestions.length,
      chat_model: chatModel ?? 'none (retrieval-only, tokens estimated)',
      embedding_model: state.documents.embeddingModel ?? 'none',
      search: state.documents.search.mode,
      passage_budget: settings.passageBudget,
      relevance_threshold: settings.relevanceThreshold,
      ingest_s: round(ingestSeconds, 1),
      ms_per_turn: round(msPerTurn, 1),
      grounded: mine.grounded,
      answer_in_context: mine.answerInContext,
      mean_chars: mine.meanChars,
      p95_chars: mine.p95Chars,
      mean_tokens: mine.meanTokens,
      p95_tokens: mine.p95Tokens,
      offtopic_grounded: offNow,
      before_answer_in_context: before.answerInContext,
      before_mean_chars: before.meanChars,
      before_offtopic_grounded: offBefore,
      chars_ratio: round(mine.meanChars / Math.max(1, before.meanChars)),
    },
  );
} finally {
  client.dispose();
  await host.dispose();
  fs.rmSync(home, { recursive: true, force: true });
}
