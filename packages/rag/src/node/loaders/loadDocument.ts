import type { ExtractedDocument, ExtractedSection, LoadDocumentOptions } from './types.js';
import { streamDocument } from './streamDocument.js';

export type { ExtractedDocument, ExtractedSection, LoadDocumentOptions } from './types.js';

/**
 * Reads a document whole and returns its text as sections: {@link streamDocument} (the same reading, checks
 * and errors the ingest worker uses) with the sections collected instead of chunked as they come.
 */
export async function loadDocument(filePath: string, options: LoadDocumentOptions): Promise<ExtractedDocument> {
  const sections: ExtractedSection[] = [];
  const document = await streamDocument(filePath, options, {
    startSection: (page, heading) => void sections.push({ text: '', page, heading }),
    write: (text) => {
      sections[sections.length - 1]!.text += text;
    },
  });
  return { ...document, sections };
}
