// Node-only surface of @assistant/rag: loaders, store, vector index, retriever, ingest worker.
export * from './store/DocumentStore.js';
export * from './index/VectorIndex.js';
export * from './retrieval/HybridRetriever.js';
export { formatSize, sizeLimitReason } from './loaders/sizeLimit.js';
export { loadDocument, type ExtractedDocument, type ExtractedSection, type LoadDocumentOptions } from './loaders/loadDocument.js';
export { detectFormat, supportedExtensions } from './loaders/detectFormat.js';
export { defaultZipLimits, type ZipLimits } from './loaders/zipGuard.js';
export { runIngestWorker } from './ingest/runIngestWorker.js';
export * from './library.js';
export { collectFiles, type CollectFilesResult } from './service/collectFiles.js';
export { hashFile } from './service/hashFile.js';
