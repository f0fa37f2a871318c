// Retrieval quality on SQuAD: each article of the range becomes one document, ingested through the normal
// pipeline (ingest worker, chunker, embeddings, SQLite, hnswlib); every answerable question is searched and
// a hit counts when one of the top-k passages contains one of its answer texts.
// Usage: npm run eval:retrieval -- --squad FILE --articles A-B [--k 1,5,10] [--embedding-model NAME|PATH] [--modes hybrid,bm25]
// Tune on the development split (articles 0-7) only.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { type SearchMode, searchModeSchema } from '@assistant/core';
import { silentLogger } from '@assistant/core/node';
import { createNodeHost } from '../apps/desktop/src/node/createNodeHost.js';
import { round } from './report.js';
import { answerable, ingestFolder, squadArticles, writeArticles } from './squad.js';
import { connectClient } from './connectClient.js';

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
const ks = values.k!.split(',').map(Number);
if (ks.some((k) => !Number.isInteger(k) || k < 1 || k > 100)) throw new Error(`--k must be whole numbers from 1 to 100, not "${values.k}".`);
const { first, articles } = squadArticles(values.squad, values.articles);

const home = fs.mkdtempSync(path.join(os.tmpdir(), 'eval-retrieval-'));
const docs = path.join(home, 'articles');
writeArticles(docs, first, articles);
const questions = answerable(articles);

const host = await createNodeHost({ home, logger: silentLogger });
const client = connectClient(host);
try {
  const patch: Record<string, unknown> = {};
  if (values['embedding-model']) patch.embeddingModel = values['embedding-model'];
  if (values['chunk-size']) patch.chunkSize = Number(values['chunk-size']);
  if (values['chunk-overlap']) patch.chunkOverlap = Number(values['chunk-overlap']);
  if (Object.keys(patch).length > 0) await client.call('settings.update', patch);
  await host.refreshModels();

  const ingestSeconds = await ingestFolder(client, docs);
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
      const { hits } = await client.call('documents.search', { query: qa.question, k: maxK, mode });
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
