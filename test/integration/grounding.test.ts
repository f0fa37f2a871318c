import { execFile } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { type ChatResult, ErrorCode } from '@assistant/core';
import { describe, expect, it } from 'vitest';
import { type ChatItem, type Harness, hostsClosedAfterEach, send, waitFor } from '../support/hostHarness.js';
import { getLlama } from 'node-llama-cpp';
import { RankingEngine } from '../../packages/core/src/node/inference/RankingEngine.js';
import { modelFile, modelsDir, needsTinyModel, tinyChatModel } from '../support/models.js';
import { repoRoot } from '../support/runCli.js';
import { needsSharedData, sharedDataDir } from '../support/sharedData.js';
import { makeTempDir } from '../support/tempDir.js';

const open = hostsClosedAfterEach();

const lighthouse =
  '# Lighthouses\n\nThe Fresnel lens concentrates the lamp into a beam visible for twenty nautical miles. Keepers trimmed the wicks every four hours through the night. ' +
  'The first Fresnel lens was installed at the Cordouan lighthouse in 1823. Its beam turned once a minute.\n';
const bakery = '# Sourdough\n\nSourdough starter needs feeding with flour and water every day to stay active and sour. A cold starter rises slowly. Bakers keep their starter in a glass jar.\n';

async function ingest(h: Harness, files: Record<string, string>) {
  const dir = makeTempDir('grounding-docs-');
  for (const [name, text] of Object.entries(files)) fs.writeFileSync(path.join(dir, name), text);
  await h.client.call('documents.add', { paths: [dir] });
  await waitFor(async () => (await h.client.call('documents.list', {})).every((doc) => doc.status === 'ready'), 60_000, 'ingestion');
}

/** The worker's own count of prompts evaluated since it started. */
const evaluations = async (h: Harness) => (await h.host.supervisor.run((client) => client.call('engine.stats', {}))).evaluations;

/** One turn, with the worker's evaluations during it and what the stream said about sources. */
async function turn(h: Harness, text: string, conversationId?: string) {
  const before = await evaluations(h);
  const sent = await send(h.client, text, { conversationId });
  const sources = sent.items.filter((item): item is Extract<ChatItem, { type: 'sources' }> => item.type === 'sources');
  const notes = sent.items.filter((item): item is Extract<ChatItem, { type: 'grounding' }> => item.type === 'grounding');
  const firstText = sent.items.findIndex((item) => item.type === 'text');
  return { ...sent, sources, notes, firstText, evaluated: (await evaluations(h)) - before };
}

describe.skipIf(!tinyChatModel)(`the grounded turn with the real worker and model (${needsTinyModel})`, () => {
  it('answers chit-chat and off-topic questions without documents, with a note and no passage tokens; a relevant one reads its sentences, told once, evaluated once', async () => {
    const h = await open();
    await h.client.call('settings.update', { maxTokens: 8, temperature: 0 });
    await ingest(h, { 'light.md': lighthouse, 'bakery.md': bakery });

    for (const question of ['Tell me a story about a frog', 'Once upon a time a frog', 'What is the capital of Mongolia?', 'the of and?', '🦊🐸 !!!']) {
      const t = await turn(h, question);
      expect(t.sources, question).toEqual([]);
      expect(t.notes.map((n) => n.grounding), question).toEqual(['noMatch']);
      expect(t.result).toMatchObject({ stats: { passageTokens: 0 }, message: { grounding: 'noMatch', citations: [] } });
      expect(t.evaluated, question).toBe(1);
    }

    const t = await turn(h, 'How often does a sourdough starter need feeding with flour?');
    expect(t.sources).toHaveLength(1);
    expect(t.notes).toEqual([]);
    // Sent before the first text, for exactly the passages the model read.
    expect(t.items.indexOf(t.sources[0]!)).toBeLessThan(t.firstText);
    const [citation] = t.sources[0]!.citations;
    expect(citation).toMatchObject({ n: 1, documentName: 'bakery.md', heading: 'Sourdough' });
    expect(citation!.text).toContain('every day');
    expect(citation!.text.length).toBeLessThan(bakery.length);
    expect(t.result.stats.passageTokens).toBeGreaterThan(0);
    expect(t.result.message.citations).toEqual(t.sources[0]!.citations);
    expect(t.evaluated).toBe(1);
    // The reopened conversation keeps the note and the citations.
    const { messages } = await h.client.call('conversations.get', { id: t.conversationId });
    expect(messages[1]!.citations[0]!.spans).toEqual(citation!.spans);
  });

  it('packs within every passage budget from 0 to more than the context, evaluating once, never refused for length', async () => {
    const h = await open();
    await h.client.call('settings.update', { maxTokens: 4, temperature: 0, contextSize: 512 });
    // Many matching sentences: more than the context can hold.
    const sentences = Array.from({ length: 60 }, (_, i) => `The Fresnel lens number ${i} sends its beam across the harbour every night.`);
    await ingest(h, { 'lens.md': `# Lenses\n\n${sentences.join(' ')}\n` });
    let previous = -1;
    for (const budget of [0, 8, 40, 120, 300, 512, 32_768]) {
      await h.client.call('settings.update', { passageBudget: budget });
      const t = await turn(h, 'Which Fresnel lens sends its beam across the harbour?');
      expect(t.evaluated, `budget ${budget}`).toBe(1);
      expect(['eos', 'maxTokens']).toContain(t.result.stats.stopReason);
      expect(t.result.stats.passageTokens).toBeLessThanOrEqual(Math.min(budget, 512));
      expect(t.result.stats.passageTokens).toBeGreaterThanOrEqual(previous);
      previous = t.result.stats.passageTokens;
      if (budget === 0) {
        // 0 answers without passages: nothing is retrieved, so nothing is said about sources.
        expect(t.sources).toEqual([]);
        expect(t.notes).toEqual([]);
        expect(t.result.message).toMatchObject({ grounding: null, citations: [] });
      } else if (budget >= 40) {
        expect(t.sources).toHaveLength(1);
      }
    }
    // More than the context: capped at what the context leaves after the system prompt, the question and a reply.
    expect(previous).toBeGreaterThan(100);
    expect(previous).toBeLessThan(512);
  });

  it('a grounded turn stopped before its reply still reports the passage tokens it read', async () => {
    const h = await open();
    await h.client.call('settings.update', { maxTokens: 200, temperature: 0 });
    await ingest(h, { 'bakery.md': bakery });
    const controller = new AbortController();
    // Stopped as soon as the sources are known, before the model's first word.
    const sent = await send(h.client, 'How often does a sourdough starter need feeding with flour?', { signal: controller.signal, onItem: (item) => item.type === 'sources' && controller.abort() });
    expect(sent.result.stats.stopReason).toBe('cancelled');
    expect(sent.items.filter((item) => item.type === 'sources')).toHaveLength(1);
    expect(sent.result.stats.passageTokens).toBeGreaterThan(0);
  });

  it('a document of one 50 KB line is read in sentence-sized pieces', async () => {
    const h = await open();
    await h.client.call('settings.update', { maxTokens: 4, temperature: 0 });
    await ingest(h, { 'line.txt': `${'lorem ipsum dolor '.repeat(1500)}the quetzal feather glows ${'sit amet consectetur '.repeat(1500)}` });
    const t = await turn(h, 'Which feather glows?');
    expect(t.evaluated).toBe(1);
    expect(t.sources).toHaveLength(1);
    expect(t.sources[0]!.citations[0]!.text).toContain('quetzal feather glows');
    expect(t.sources[0]!.citations.reduce((sum, c) => sum + c.text.length, 0)).toBeLessThan(3000);
  });

  it('a 20,000-character question is retrieved against quickly and refused with a clear sentence, without evaluating', async () => {
    const h = await open();
    await h.client.call('settings.update', { maxTokens: 4 });
    await ingest(h, { 'light.md': lighthouse });
    const before = await evaluations(h);
    const question = `How far is the beam visible? ${'Please explain it in detail. '.repeat(700)}`;
    expect(question.length).toBeGreaterThan(20_000);
    const error = await send(h.client, question).catch((e: Error & { code: string }) => e);
    expect(error).toMatchObject({ code: ErrorCode.PromptTooLong, message: expect.stringMatching(/too long for the model/) });
    expect((await evaluations(h)) - before).toBe(0);
    const [conversation] = await h.client.call('conversations.list', {});
    expect((await h.client.call('conversations.get', { id: conversation!.id })).messages[0]!.text).toBe(question.trim());
  });
});

describe('retrieval-only answers (no chat model) go through the same gate', () => {
  it('gives the matching sentences with their sources, and says so when nothing matches', async () => {
    const h = await open({ modelsDir: makeTempDir('no-models-') });
    await ingest(h, { 'light.md': lighthouse, 'bakery.md': bakery });
    const answer = await send(h.client, 'When was the first Fresnel lens installed?');
    expect(answer.result).toMatchObject({ stats: { stopReason: 'retrievalOnly' }, message: { grounding: null } });
    expect(answer.result.stats.passageTokens).toBeGreaterThan(0);
    const sources = answer.items.filter((item) => item.type === 'sources');
    expect(sources).toHaveLength(1);
    expect(answer.streamed).toMatch(/\[1\] “[^”]*installed at the Cordouan lighthouse in 1823/);

    const chat = await send(h.client, 'Tell me a story about a frog');
    expect(chat.items.some((item) => item.type === 'sources')).toBe(false);
    expect(chat.items).toContainEqual({ type: 'grounding', grounding: 'noMatch' });
    expect(chat.result).toMatchObject({ stats: { stopReason: 'retrievalOnly', passageTokens: 0 }, message: { grounding: 'noMatch' } });
    expect(chat.streamed).toMatch(/none of your documents matches/);
  });
});

const data = sharedDataDir();

describe.skipIf(!data)(`follow-up questions on SQuAD's development articles (${needsSharedData})`, () => {
  it('"When was it founded?" after a question about Harvard reads from the Harvard article', async () => {
    const h = await open({ modelsDir: makeTempDir('no-models-') });
    const squad = JSON.parse(fs.readFileSync(path.join(data!, 'qa/squad2-dev/dev-v2.0.json'), 'utf8')) as { data: { title: string; paragraphs: { context: string }[] }[] };
    const files: Record<string, string> = {};
    // Development split only: articles 0-7 (7 is Harvard_University).
    squad.data.slice(0, 8).forEach((article, i) => (files[`${i}-${article.title}.md`] = `# ${article.title}\n\n${article.paragraphs.map((p) => p.context).join('\n\n')}\n`));
    expect(squad.data[7]!.title).toBe('Harvard_University');
    await ingest(h, files);

    const cited = (sent: Awaited<ReturnType<typeof send>>) => sent.items.flatMap((item) => (item.type === 'sources' ? item.citations.map((c) => c.documentName) : []));
    // On its own the question names nothing: it is not answered from the Harvard article.
    expect(cited(await send(h.client, 'When was it founded?'))).not.toEqual(expect.arrayContaining(['7-Harvard_University.md']));

    const first = await send(h.client, 'How many students attend Harvard University?');
    const followUp = await send(h.client, 'When was it founded?', { conversationId: first.conversationId });
    expect((followUp.result as ChatResult).message.grounding).toBeNull();
    const documents = cited(followUp);
    expect(documents.length).toBeGreaterThan(0);
    expect(new Set(documents)).toEqual(new Set(['7-Harvard_University.md']));
    const read = followUp.items.flatMap((item) => (item.type === 'sources' ? item.citations.map((c) => c.text) : [])).join(' ');
    expect(read).toMatch(/\bfound/i);
  });
});

/** `npm run assistant -- ARGS` in its own process, without blocking this one (ingestion takes a while). */
function runCli(args: string[], env: Record<string, string>, timeoutMs: number): Promise<{ code: number | null; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    execFile(process.execPath, ['--import', 'tsx', path.join(repoRoot, 'apps/desktop/src/cli/main.ts'), ...args], { cwd: repoRoot, timeout: timeoutMs, env: { ...process.env, ...env }, maxBuffer: 16 * 1024 * 1024 }, (error, stdout, stderr) =>
      resolve({ code: error ? (typeof error.code === 'number' ? error.code : 1) : 0, stdout, stderr }),
    );
  });
}

describe.skipIf(!tinyChatModel)(`vector search right after a restart, each command a new process (${needsTinyModel})`, () => {
  it('vector and exact search work without loading the model first; hybrid says which mode ran and why', { timeout: 600_000 }, async () => {
    const home = makeTempDir('cli-home-');
    const env = { ASSISTANT_HOME: home, ASSISTANT_MODELS_DIR: modelsDir! };
    const dir = makeTempDir('restart-docs-');
    const topics = ['sourdough flour', 'lighthouse lens', 'volcano lava', 'piano sonata', 'glacier ice', 'comet tail', 'coral reef', 'desert dune'];
    for (let i = 0; i < 32; i++) {
      const topic = topics[i % topics.length]!;
      fs.writeFileSync(path.join(dir, `note-${i}.md`), `# Note ${i}\n\nThis note ${i} is about ${topic}. People study the ${topic} closely in season ${i}. The ${topic} changes slowly over the years.\n`);
    }
    const ingested = await runCli(['ingest', dir, '--embedding-model', 'stories260k/stories260K', '--json'], env, 240_000);
    expect(ingested.code, ingested.stderr).toBe(0);

    for (const mode of ['vector', 'exact'] as const) {
      const found = await runCli(['search', 'sourdough flour', '--mode', mode, '--json'], env, 120_000);
      expect(found.code, found.stderr).toBe(0);
      const result = JSON.parse(found.stdout) as { mode: string; reason: string | null; hits: { vectorRank: number | null }[] };
      expect(result).toMatchObject({ mode, reason: null });
      expect(result.hits[0]!.vectorRank).toBe(1);
    }
    const hybrid = await runCli(['search', 'sourdough flour', '--mode', 'hybrid', '--json'], env, 120_000);
    expect(hybrid.code, hybrid.stderr).toBe(0);
    const result = JSON.parse(hybrid.stdout) as { mode: string; reason: string | null };
    // The tiny model's vectors are measured as noise on this collection, or trusted: either way it is said.
    if (result.mode === 'hybrid') expect(result.reason).toBeNull();
    else expect(result).toMatchObject({ mode: 'bm25', reason: expect.stringMatching(/^stories260K found the passage of only \d+% of \d+ sentences taken from your documents/) });
    const text = await runCli(['search', 'sourdough flour', '--mode', 'hybrid'], env, 120_000);
    if (result.mode === 'bm25') expect(text.stderr).toMatch(/^Keyword search only: stories260K found/);
  });
});

const rerankerName = 'jina-reranker-v1-tiny-en-f16/jina-reranker-v1-tiny-en-f16.gguf';
const reranker = modelFile(rerankerName);

describe.skipIf(!reranker || !tinyChatModel)(`reranking in the inference worker (needs ${rerankerName} and ${tinyChatModel ? 'the tiny chat model' : needsTinyModel} in ASSISTANT_MODELS_DIR)`, () => {
  it('the ranking context scores the passage that answers above one that does not', async () => {
    const engine = new RankingEngine(() => getLlama({ build: 'never' }));
    try {
      const [answer, other] = await engine.rank({ modelPath: reranker!, threads: 0 }, 'When was the first Fresnel lens installed?', ['The first Fresnel lens was installed at the Cordouan lighthouse in 1823.', 'Sourdough starter needs feeding with flour.']);
      expect(answer!).toBeGreaterThan(other!);
    } finally {
      await engine.dispose();
    }
  });

  it('a grounded turn with the reranker installed still reads its sources once and evaluates once; the setting turns it off', async () => {
    const h = await open();
    await h.client.call('settings.update', { maxTokens: 4, temperature: 0 });
    await ingest(h, { 'light.md': lighthouse, 'bakery.md': bakery });
    for (const rerank of [true, false]) {
      await h.client.call('settings.update', { rerank });
      const t = await turn(h, 'When was the first Fresnel lens installed at Cordouan?');
      expect(t.evaluated).toBe(1);
      expect(t.sources).toHaveLength(1);
      expect(t.sources[0]!.citations[0]!.text).toContain('1823');
    }
  });
});
