import { displayName, throwIfAborted } from './DocumentError.js';
import { decodeText, normalizeCode, normalizeProse } from './normalizeText.js';
import type { Loader } from './types.js';

/** Plain text: one section, whitespace normalized (the chunker finds paragraphs and sentences). */
export const loadText: Loader = async ({ bytes, signal }) => {
  throwIfAborted(signal);
  const text = normalizeProse(decodeText(bytes));
  return { format: 'text', title: null, pages: null, sections: text ? [{ text, page: null, heading: null }] : [] };
};

/** Source code and configuration: one section headed by the file name; indentation is kept. */
export const loadCode: Loader = async ({ bytes, filePath, signal }) => {
  throwIfAborted(signal);
  const text = normalizeCode(decodeText(bytes));
  return { format: 'code', title: null, pages: null, sections: text ? [{ text, page: null, heading: displayName(filePath) }] : [] };
};
