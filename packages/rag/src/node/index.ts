// Node-only surface of @assistant/rag: loaders, OCR, store, vector index, retriever, ingest worker.
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
export { resolveLanguageData, type LanguageData } from './ocr/languageData.js';
export { createOcrReader, disposeOcr, type OcrReader, type OcrReaderOptions } from './ocr/OcrReader.js';
export { renderPdfPage, pageLongSidePx } from './ocr/renderPdfPage.js';
export { toPgm, type GrayImage } from './ocr/grayImage.js';
