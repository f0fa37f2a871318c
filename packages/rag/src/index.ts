// @assistant/rag: loaders, chunker, SQLite store, hnswlib index, hybrid retriever, ingest worker.
// The documents issue fills this package; the walking skeleton only lays it out.
export const ragPackage = '@assistant/rag';
