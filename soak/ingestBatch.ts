// One batch of the ingest soak, in its own process so that a host crash shows as this process dying: adds
// the files named on stdin (one JSON array) to the profile at ASSISTANT_HOME, waits for every document to
// settle and prints one JSON line per file: its outcome, its reason and how long it took from parsing on.
import type { DocumentInfo } from '@assistant/core';
import { connectInMemory } from '../apps/desktop/src/cli/connectInMemory.js';
import { createNodeHost } from '../apps/desktop/src/node/createNodeHost.js';

export interface BatchOutcome {
  path: string;
  status: DocumentInfo['status'] | 'skipped' | 'missing';
  reason: string | null;
  ms: number | null;
}

const terminal = new Set(['ready', 'failed', 'cancelled']);

async function main(): Promise<void> {
  const files = JSON.parse(await new Response(process.stdin as unknown as ReadableStream).text()) as string[];
  const host = await createNodeHost({ logLevel: 'error', modelsDir: process.env.ASSISTANT_MODELS_DIR });
  const client = connectInMemory(host);
  const started = new Map<string, number>();
  const finished = new Map<string, DocumentInfo & { ms: number }>();
  const watch = client.on('documents.changed', ({ id, document }) => {
    if (!document) return;
    if (document.status === 'parsing' && !started.has(id)) started.set(id, Date.now());
    if (terminal.has(document.status) && !finished.has(id)) finished.set(id, { ...document, ms: Date.now() - (started.get(id) ?? Date.now()) });
  });
  try {
    const added = await client.call('documents.add', { paths: files });
    const ids = new Set(added.queued.map((doc) => doc.id));
    for (;;) {
      const documents = (await client.call('documents.list', {})).filter((doc) => ids.has(doc.id));
      if (documents.every((doc) => terminal.has(doc.status))) {
        for (const doc of documents) if (!finished.has(doc.id)) finished.set(doc.id, { ...doc, ms: Date.now() - (started.get(doc.id) ?? Date.now()) });
        break;
      }
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
    const byPath = new Map<string, BatchOutcome>();
    for (const skip of added.skipped) byPath.set(skip.path, { path: skip.path, status: 'skipped', reason: skip.reason, ms: null });
    for (const doc of finished.values()) if (ids.has(doc.id)) byPath.set(doc.path, { path: doc.path, status: doc.status, reason: doc.error?.message ?? null, ms: doc.ms });
    for (const file of files) process.stdout.write(`${JSON.stringify(byPath.get(file) ?? { path: file, status: 'missing', reason: null, ms: null })}\n`);
  } finally {
    watch.dispose();
    client.dispose();
    await host.dispose();
  }
}

main().then(
  () => process.exit(0),
  (error: unknown) => {
    process.stderr.write(`ingest batch failed: ${(error as Error).stack ?? String(error)}\n`);
    process.exit(1);
  },
);
