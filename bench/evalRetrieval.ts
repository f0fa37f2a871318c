// Retrieval quality on SQuAD: each article of the range becomes one document, ingested through the normal
// pipeline (ingest worker, chunker, embeddings, SQLite, hnswlib); every answerable question is searched and
// a hit counts when one of the top-k passages contains one of its answer texts.
// Usage: npm run eval:retrieval -- --squad FILE --articles A-B [--k 1,5,10] [--embedding-model NAME|PATH] [--modes hybrid,bm25]
// Tune on the development split (articles 0-7) only.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { createMemoryTransportPair, createRpcClient, hostContract, type SearchMode, searchModeSchema } from '@assistant/core';
import { silentLogger } from '@assistant/core/node';
import { createNodeHost } from '../apps/desktop/src/node/createNodeHost.js';
import { round } from './report.js';

interface SquadFile {
  data: { title: string; paragraphs: { context: string; qas: { question: string; is_impossible?: boolean; answers: { text: string }[] }[] }[] }[];
}

const { values } = parseArgs({
  options: {
    squad: { type: 'string' },
    articles: { type: 'string' },
    k: { type: 'string', default: '1,5,10' },
    'embedding-model': { type: 'string' },
    modes: { type: 'string' },
    'chunk-size': { type: 'string' },
    'chunk-overlap': { type: 'string' },
  },
});
if (!values.squad || !values.articles) {
  console.error('Usage: npm run eval:retrieval -- --squad FILE --articles A-B [--k 1,5,10] [--embedding-model NAME|PATH] [--modes hybrid,bm25]');
  process.exit(2);
}
const range = /^(\d+)-(\d+)$/.exec(values.articles);
if (!range) throw new Error(`--articles must look like 0-7, not "${values.articles}".`);
const [first, last] = [Number(range[1]), Number(range[2])];
const ks = values.k!.split(',').map(Number);
if (ks.some((k) => !Number.isInteger(k) || k < 1 || k > 100)) throw new Error(`--k must be whole numbers from 1 to 100, not "${values.k}".`);
const squad = JSON.parse(fs.readFileSync(values.squad, 'utf8')) as SquadFile;
const articles = squad.data.slice(first, last + 1);
if (articles.length !== last - first + 1) throw new Error(`${values.squad} has ${squad.data.length} articles; ${values.articles} is out of range.`);

const home = fs.mkdtempSync(path.join(os.tmpdir(), 'eval-retrieval-'));
const docs = path.join(home, 'articles');
fs.mkdirSync(docs);
articles.forEach((article, i) => {
  const body = article.paragraphs.map((paragraph) => paragraph.context.trim()).join('\n\n');
  fs.writeFileSync(path.join(docs, `${String(first + i).padStart(2, '0')}-${article.title}.md`), `# ${article.title.replaceAll('_', ' ')}\n\n${body}\n`);
});
const questions = articles.flatMap((article) => article.paragraphs.flatMap((paragraph) => paragraph.qas.filter((qa) => !qa.is_impossible && qa.answers.length > 0)));

const host = await createNodeHost({ home, logger: silentLogger });
const [clientSide, hostSide] = createMemoryTransportPair();
host.connect(hostSide);
const client = createRpcClient(hostContract, clientSide);
try {
  const patch: Record<string, unknown> = {};
  if (values['embedding-model']) patch.embeddingModel = values['embedding-model'];
  if (values['chunk-size']) patch.chunkSize = Number(values['chunk-size']);
  if (values['chunk-overlap']) patch.chunkOverlap = Number(values['chunk-overlap']);
  if (Object.keys(patch).length > 0) await client.call('settings.update', patch);
  await host.refreshModels();

  const started = performance.now();
  await client.call('documents.add', { paths: [docs] });
  for (;;) {
    const documents = await client.call('documents.list', {});
    const failed = documents.find((doc) => doc.status === 'failed');
    if (failed) throw new Error(`${failed.name} failed: ${failed.error?.message}`);
    if (documents.every((doc) => doc.status === 'ready')) break;
    await new Promise((resolve) => setTimeout(resolve, 200));
  }
  const ingestSeconds = (performance.now() - started) / 1000;
  const documents = await client.call('documents.list', {});
  const state = await client.call('app.getState', {});
  const settings = await client.call('settings.get', {});
  const modes = (values.modes ?? (state.documents.embeddingModel ? 'hybrid,bm25,vector' : 'bm25')).split(',').map((mode) => searchModeSchema.parse(mode) as SearchMode);
  const maxK = Math.max(...ks);
  const results: Record<string, Record<string, number>> = {};
  for (const mode of modes) {
    const found = new Map<number, number>(ks.map((k) => [k, 0]));
    const t = performance.now();
    for (const qa of questions) {
      const hits = await client.call('documents.search', { query: qa.question, k: maxK, mode });
      const answers = qa.answers.map((answer) => answer.text);
      const rank = hits.findIndex((hit) => answers.some((answer) => hit.text.includes(answer)));
      for (const k of ks) if (rank >= 0 && rank < k) found.set(k, found.get(k)! + 1);
    }
    results[mode] = Object.fromEntries([...ks.map((k) => [`recall@${k}`, round(found.get(k)! / questions.length)]), ['ms_per_query', round((performance.now() - t) / questions.length, 2)]]);
  }
  console.log(
    JSON.stringify(
      {
        squad: path.basename(values.squad),
        articles: values.articles,
        documents: documents.length,
        passages: documents.reduce((sum, doc) => sum + doc.chunks, 0),
        questions: questions.length,
        embeddingModel: state.documents.embeddingModel,
        embeddingReliability: (await client.call('app.getState', {})).documents.embeddingReliability,
        chunkSize: settings.chunkSize,
        chunkOverlap: settings.chunkOverlap,
        weights: { bm25: settings.bm25Weight, vector: settings.vectorWeight, rrfK: settings.rrfK },
        ingestSeconds: round(ingestSeconds, 1),
        recall: results,
      },
      null,
      2,
    ),
  );
} finally {
  client.dispose();
  await host.dispose();
  fs.rmSync(home, { recursive: true, force: true });
}
