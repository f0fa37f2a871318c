// Entry of the ingest utility process (Electron) or child process (serve mode, CLI, tests): parsing and
// chunking of dropped files, so a hostile file can only take this process down.
import { runIngestWorker } from '@assistant/rag/ingest-worker';

runIngestWorker();
