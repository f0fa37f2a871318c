import { createRequire } from 'node:module';
import path from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import type { WorkerEntry, WorkerName } from '@assistant/core/node';

/** A file that explodes in memory kills the ingest worker, not the machine: the host carries on. */
export const ingestHeapLimit = '--max-old-space-size=2048';

/**
 * Where the worker entry files are for child_process.fork. From source (the CLI, tests, serve mode) the
 * TypeScript entries run under the tsx loader; from the electron-vite build they are siblings in out/main.
 */
export function nodeWorkerEntries(): Record<WorkerName, WorkerEntry> {
  const here = path.dirname(fileURLToPath(import.meta.url));
  if (import.meta.url.endsWith('.ts')) {
    const tsx = pathToFileURL(createRequire(import.meta.url).resolve('tsx')).href;
    return {
      inference: { file: path.join(here, '../workers/inferenceWorker.ts'), execArgv: ['--import', tsx] },
      ingest: { file: path.join(here, '../workers/ingestWorker.ts'), execArgv: ['--import', tsx, ingestHeapLimit] },
      voice: { file: path.join(here, '../workers/voiceWorker.ts'), execArgv: ['--import', tsx] },
    };
  }
  return {
    inference: { file: path.join(here, 'inferenceWorker.js') },
    ingest: { file: path.join(here, 'ingestWorker.js'), execArgv: [ingestHeapLimit] },
    voice: { file: path.join(here, 'voiceWorker.js') },
  };
}
