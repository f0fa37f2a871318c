// Public, environment-free surface of @assistant/rag (chunking, query building, rank fusion, citations).
// Node-only parts (loaders, SQLite store, hnswlib index, ingest worker) are exported from '@assistant/rag/node'.
export * from './common/retrieval/ftsQuery.js';
export * from './common/retrieval/fuseRankings.js';
export * from './common/chunking/chunkDocument.js';
export * from './common/citations/groundedPrompt.js';
