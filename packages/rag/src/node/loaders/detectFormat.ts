import path from 'node:path';
import type { DocumentFormat } from '@assistant/core';

const formatByExtension: Readonly<Record<string, DocumentFormat>> = {
  '.pdf': 'pdf',
  '.docx': 'docx',
  '.epub': 'epub',
  '.html': 'html',
  '.htm': 'html',
  '.xhtml': 'html',
  '.md': 'markdown',
  '.markdown': 'markdown',
  '.mdown': 'markdown',
  '.mkd': 'markdown',
  // Plain text.
  '.txt': 'text',
  '.text': 'text',
  '.log': 'text',
  '.csv': 'text',
  '.tsv': 'text',
  '.rst': 'text',
  '.adoc': 'text',
  '.org': 'text',
  '.tex': 'text',
  '.srt': 'text',
  '.vtt': 'text',
  // Pictures of pages, read by OCR.
  '.png': 'image',
  '.jpg': 'image',
  '.jpeg': 'image',
  '.tif': 'image',
  '.tiff': 'image',
  '.webp': 'image',
  // Source code and configuration.
  ...Object.fromEntries(
    [
      '.ts', '.tsx', '.mts', '.cts', '.js', '.jsx', '.mjs', '.cjs', '.py', '.pyi', '.rs', '.go', '.java', '.kt', '.kts', '.scala',
      '.c', '.h', '.cc', '.cpp', '.cxx', '.hh', '.hpp', '.hxx', '.m', '.mm', '.cs', '.fs', '.vb', '.rb', '.php', '.swift', '.dart',
      '.lua', '.pl', '.pm', '.r', '.jl', '.hs', '.ml', '.ex', '.exs', '.erl', '.clj', '.zig', '.nim', '.sh', '.bash', '.zsh',
      '.fish', '.ps1', '.bat', '.cmd', '.json', '.jsonc', '.yaml', '.yml', '.toml', '.ini', '.cfg', '.conf', '.xml', '.sql',
      '.graphql', '.proto', '.css', '.scss', '.less', '.vue', '.svelte', '.gradle', '.cmake', '.tf',
    ].map((extension) => [extension, 'code' as const]),
  ),
};

/** Every extension the loaders accept, lower case with the leading dot (".pdf", ".md", ...). */
export const supportedExtensions: readonly string[] = Object.freeze(Object.keys(formatByExtension));

/** The document format for a path, judged by its extension (case-insensitive), or null when unsupported. */
export function detectFormat(filePath: string): DocumentFormat | null {
  const extension = path.extname(filePath).toLowerCase();
  if (!extension) return null;
  return Object.hasOwn(formatByExtension, extension) ? (formatByExtension[extension] ?? null) : null;
}
