import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { type Citation, citationLabel, groundedPrompt } from '@assistant/core';
import { silentLogger } from '@assistant/core/node';
import { createNodeHost } from '../apps/desktop/src/node/createNodeHost.js';
import { type BareRun, benchModelPath, benchSystemPrompt, createBareChat, interleaveRuns } from './bareChat.js';
import { idleIpcRoundTrip } from './llm.js';
import { median, printReport, round } from './report.js';
import { answerable, ingestFolder, squadArticles, squadDevFile, writeArticles } from './squad.js';
import { connectClient } from './connectClient.js';

/**
 * Grounded questions through the app (host retrieval and gate, RPC, packing by exact tokens in the worker,
 * one evaluation) and through bare node-llama-cpp given the identical final prompt, interleaved. Also the
 * passage tokens the app packs against what the packing before issue 10 sent for the same questions.
 */
export async function benchGrounded(argv: string[]): Promise<void> {
  // Options: --model PATH, --squad FILE, --articles A-B (default 0-3), --runs N, --tokens N, --budget TOKENS,
  // --sequences N (contextSequences).
  const { values } = parseArgs({ args: argv, options: { model: { type: 'string' }, squad: { type: 'string' }, articles: { type: 'string', default: '0-3' }, runs: { type: 'string', default: '12' }, tokens: { type: 'string', default: '16' }, budget: { type: 'string' }, sequences: { type: 'string' } } });
  const modelPath = benchModelPath('grounded', values.model);
  const squadFile = squadDevFile('grounded', values.squad);
  const runs = Number(values.runs);
  const maxTokens = Number(values.tokens);

  const bareChat = await createBareChat(modelPath);
  const { threads, contextSize } = bareChat;
  const home = fs.mkdtempSync(path.join(os.tmpdir(), 'bench-grounded-'));
  const docs = path.join(home, 'articles');
  const { first, articles } = squadArticles(squadFile, values.articles!);
  writeArticles(docs, first, articles);
  const host = await createNodeHost({ home, modelsDir: path.dirname(modelPath), model: modelPath, logger: silentLogger });
  const client = connectClient(host);
  await client.call('settings.update', { temperature: 0, maxTokens, threads, contextSize, systemPrompt: benchSystemPrompt, ...(values.sequences ? { contextSequences: Number(values.sequences) } : {}) });
  // A small budget makes prompts short, so the app's own overhead stands out from evaluation time.
  if (values.budget) await client.call('settings.update', { passageBudget: Number(values.budget) });
  await ingestFolder(client, docs);

  // Questions spread over the articles (every 25th answerable one).
  const questions = answerable(articles).filter((_, i) => i % 25 === 0).map((qa) => qa.question);
  let next = 0;
  let prompt = '';
  const passageTokens: number[] = [];
  let grounded = 0;
  const evaluations = async () => (await host.supervisor.run((worker) => worker.call('engine.stats', {}))).evaluations;
  const evaluationsBefore = await evaluations();
  let turns = 0;

  const coldGroundingMs: number[] = [];
  for (const question of questions) {
    const start = performance.now();
    await host.documents!.ground(question);
    coldGroundingMs.push(performance.now() - start);
  }

  const app = async (): Promise<BareRun> => {
    const question = questions[next++ % questions.length]!;
    let citations: Citation[] = [];
    let first = 0;
    const start = performance.now();
    const result = await client.stream('chat.send', { text: question }, {
      onItem: (item) => {
        if (item.type === 'sources') citations = item.citations;
        if (item.type === 'text') first ||= performance.now();
      },
    });
    const end = performance.now();
    turns++;
    // What the worker evaluated, rebuilt from what it said it packed: the bare engine gets exactly this.
    prompt = groundedPrompt(question, citations.map((citation) => ({ label: citationLabel(citation), text: citation.text })));
    if (citations.length > 0) grounded++;
    passageTokens.push(result.stats.passageTokens);
    return { ttftMs: first - start, tokens: result.stats.completionTokens, tokensPerS: result.stats.completionTokens / ((end - first) / 1000) };
  };
  const bare = () => bareChat.run(prompt, maxTokens);
  const { app: appSummary, bare: bareSummary, ttftAddedMs } = await interleaveRuns(runs, app, bare);
  const evaluated = (await evaluations()) - evaluationsBefore;

  // The host's own work before the request leaves (retrieval, gate, sentence selection), timed directly:
  // TTFT differences of a few ms drown in evaluation noise, this does not. Cold: each question's passages
  // seen for the first time (timed before any turn); warm: seen before (a follow-up, a repeated question).
  const groundingMs: number[] = [];
  for (let round = 0; round < 5; round++) {
    for (const question of questions) {
      const start = performance.now();
      await host.documents!.ground(question);
      groundingMs.push(performance.now() - start);
    }
  }

  // The packing before: the fused top hits as whole passages, up to half the loaded context at 2.5 characters a token.
  const state = await client.call('app.getState', {});
  const window = state.chatModel.contextSize ?? 4096;
  const maxChars = Math.floor(Math.max(256, Math.min(window * 0.5, window - Math.min(maxTokens, window / 2) - 256)) * 2.5);
  const before: number[] = [];
  for (const question of questions) {
    const { hits } = await client.call('documents.search', { query: question, k: 10, mode: 'hybrid' });
    const sources: { label: string; text: string }[] = [];
    let used = 0;
    for (const hit of hits.filter((h) => h.bm25Rank !== null)) {
      if (sources.length >= 5 || (sources.length > 0 && used + hit.text.length > maxChars)) break;
      sources.push({ label: citationLabel(hit), text: hit.text.slice(0, maxChars) });
      used += hit.text.length;
    }
    const full = groundedPrompt(question, sources);
    before.push(sources.length > 0 ? bareChat.countTokens(full) - bareChat.countTokens(groundedPrompt(question, [{ label: '', text: '' }])) : 0);
  }
  client.dispose();
  await host.dispose();
  await bareChat.dispose();
  fs.rmSync(home, { recursive: true, force: true });

  const ipcFloorMs = await idleIpcRoundTrip();
  const nowTokens = median(passageTokens);
  const beforeTokens = median(before);
  printReport(
    'grounded',
    [
      { path: 'app (retrieval + gate → RPC → pack in worker → one evaluation)', 'TTFT ms (median)': appSummary.ttftMs, 'passage tokens (median)': nowTokens },
      { path: 'host grounding step before the request leaves, first sight (timed alone)', 'TTFT ms (median)': median(coldGroundingMs), 'passage tokens (median)': '' },
      { path: 'host grounding step, passages seen before (timed alone)', 'TTFT ms (median)': median(groundingMs), 'passage tokens (median)': '' },
      { path: 'bare IPC echo round trip after 50 ms idle (the process-boundary floor)', 'TTFT ms (median)': ipcFloorMs, 'passage tokens (median)': '' },
      { path: 'bare node-llama-cpp, identical final prompt', 'TTFT ms (median)': bareSummary.ttftMs, 'passage tokens (median)': '' },
      { path: 'packing before (whole passages, no gate), same questions', 'TTFT ms (median)': '', 'passage tokens (median)': beforeTokens },
    ],
    {
      model: path.basename(modelPath),
      threads,
      context_size: contextSize,
      runs,
      questions: questions.length,
      grounded_share: round(grounded / turns),
      evaluations_per_turn: round(evaluated / turns, 2),
      app_ttft_ms: round(appSummary.ttftMs, 2),
      bare_ttft_ms: round(bareSummary.ttftMs, 2),
      ipc_idle_rtt_ms: round(ipcFloorMs, 3),
      ttft_added_beyond_ipc_ms: round(appSummary.ttftMs - bareSummary.ttftMs - ipcFloorMs, 2),
      // Median of (app run − the bare run right after it) − the IPC floor: the same, robust to drift.
      ttft_added_paired_beyond_ipc_ms: round(ttftAddedMs - ipcFloorMs, 2),
      ttft_ratio: round(appSummary.ttftMs / bareSummary.ttftMs),
      host_grounding_cold_ms: round(median(coldGroundingMs), 3),
      host_grounding_warm_ms: round(median(groundingMs), 3),
      passage_tokens: nowTokens,
      passage_tokens_before: beforeTokens,
      passage_tokens_ratio: round(nowTokens / Math.max(1, beforeTokens)),
    },
  );
}
