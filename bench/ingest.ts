import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { chooseThreads, openDatabase, silentLogger } from '@assistant/core/node';
import { LlamaLogLevel, getLlama } from 'node-llama-cpp';
import { createNodeHost } from '../apps/desktop/src/node/createNodeHost.js';
import { printReport, round } from './report.js';
import { connectClient } from './connectClient.js';

/**
 * Ingestion through the app (ingest worker parsing and chunking, embeddings in the inference worker,
 * SQLite writes, hnswlib) against bare node-llama-cpp embedding the very same chunks in this process, with
 * the same model, threads, context and truncation. The ratio is the share of bare embedding throughput
 * the whole pipeline keeps.
 */
export async function benchIngest(argv: string[]): Promise<void> {
  const { values } = parseArgs({ args: argv, options: { 'embedding-model': { type: 'string' }, files: { type: 'string' } } });
  const shared = process.env.ASSISTANT_MODELS_DIR ? path.dirname(path.resolve(process.env.ASSISTANT_MODELS_DIR)) : null;
  const modelPath = values['embedding-model'] ?? (shared ? path.join(shared, 'models', 'stories260k', 'stories260K.gguf') : '');
  if (!modelPath || !fs.existsSync(modelPath)) throw new Error(`bench ingest needs an embedding GGUF: pass --embedding-model PATH or set ASSISTANT_MODELS_DIR (looked for "${modelPath}").`);
  const files = values.files?.split(',') ?? (shared ? [path.join(shared, 'data/docs/text/1342-0.txt'), path.join(shared, 'data/docs/pdf/valid/pdkids.pdf')] : []);
  for (const file of files) if (!fs.existsSync(file)) throw new Error(`bench ingest: ${file} does not exist (set ASSISTANT_MODELS_DIR next to the shared data, or pass --files a,b).`);
  const megabytes = files.reduce((sum, file) => sum + fs.statSync(file).size, 0) / 1e6;

  // The app: a fresh profile, the documents dropped at once, timed until every one is ready.
  const home = fs.mkdtempSync(path.join(os.tmpdir(), 'bench-ingest-'));
  const host = await createNodeHost({ home, modelsDir: path.dirname(modelPath), logger: silentLogger });
  const client = connectClient(host);
  await client.call('settings.update', { embeddingModel: modelPath });
  await host.refreshModels();
  const ingest = async (paths: string[]) => {
    const before = (await client.call('documents.list', {})).length;
    await client.call('documents.add', { paths });
    for (;;) {
      const documents = await client.call('documents.list', {});
      const failed = documents.find((doc) => doc.status === 'failed');
      if (failed) throw new Error(`${failed.name}: ${failed.error?.message}`);
      if (documents.length === before + paths.length && documents.every((doc) => doc.status === 'ready')) return;
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
  };
  // Steady state, as in use: both workers started and the embedding model loaded before the clock starts.
  const warmup = path.join(home, 'warm-up.txt');
  fs.writeFileSync(warmup, 'A short note that starts the workers and loads the embedding model.');
  await ingest([warmup]);
  const started = performance.now();
  await ingest(files);
  const appSeconds = (performance.now() - started) / 1000;
  client.dispose();
  await host.dispose();

  // Bare: the chunks the app stored, embedded in order by node-llama-cpp directly.
  const db = openDatabase({ file: path.join(home, 'assistant.db') });
  const texts = (db.prepare(`SELECT c.text FROM chunks c JOIN documents d ON d.id = c.document_id WHERE d.name != 'warm-up.txt' ORDER BY c.document_id, c.ordinal`).all() as { text: string }[]).map((row) => row.text);
  db.close();
  const llama = await getLlama({ build: 'never', logLevel: LlamaLogLevel.error });
  const model = await llama.loadModel({ modelPath });
  const threads = chooseThreads({ requested: 0, cores: llama.cpuMathCores, modelSizeBytes: fs.statSync(modelPath).size, workload: 'batch' });
  const contextSize = Math.min(model.trainContextSize, 512);
  const context = await model.createEmbeddingContext({ contextSize, batchSize: contextSize, threads });
  await context.getEmbeddingFor(model.tokenize('A short note that warms up the context.'));
  const bareStarted = performance.now();
  for (const text of texts) await context.getEmbeddingFor(model.tokenize(text).slice(0, contextSize - 4));
  const bareSeconds = (performance.now() - bareStarted) / 1000;
  await context.dispose();
  await model.dispose();
  fs.rmSync(home, { recursive: true, force: true });

  const rows = [
    { run: 'app (parse + chunk + embed + store + index)', seconds: round(appSeconds, 2), chunks_per_s: round(texts.length / appSeconds, 2), mb_per_s: round(megabytes / appSeconds, 4) },
    { run: 'bare node-llama-cpp embedding', seconds: round(bareSeconds, 2), chunks_per_s: round(texts.length / bareSeconds, 2), mb_per_s: round(megabytes / bareSeconds, 4) },
  ];
  printReport('ingest', rows, {
    files: files.map((file) => path.basename(file)).join(','),
    megabytes: round(megabytes, 3),
    chunks: texts.length,
    model: path.basename(modelPath),
    threads,
    app_chunks_per_s: rows[0]!.chunks_per_s,
    bare_chunks_per_s: rows[1]!.chunks_per_s,
    app_mb_per_s: rows[0]!.mb_per_s,
    throughput_ratio: round(bareSeconds / appSeconds, 3),
  });
}
