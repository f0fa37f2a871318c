// The document library the host composes, without the loaders: parsing runs in the ingest worker, so the
// host (and Electron main) never load pdf.js, mammoth or the HTML parsers.
import type { DocumentLibraryFactory } from '@assistant/core/node';
import { DocumentService } from './service/DocumentService.js';

export { DocumentService, type DocumentServiceOptions } from './service/DocumentService.js';

export const createDocumentLibrary: DocumentLibraryFactory = (context) => DocumentService.create(context);
