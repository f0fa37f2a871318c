import fs from 'node:fs';
import path from 'node:path';

/**
 * The shared test data folder (documents for the loaders, ...). Tests reach shared files only through
 * ASSISTANT_MODELS_DIR (CI sets it to ../shared/models): the data folder is its sibling `data`.
 * Null when the variable is unset or the folder is absent; such tests skip and say so.
 */
export function sharedDataDir(): string | null {
  const models = process.env.ASSISTANT_MODELS_DIR;
  if (!models) return null;
  const dir = path.join(path.dirname(path.resolve(models)), 'data');
  return fs.existsSync(dir) ? dir : null;
}

export const needsSharedData = 'needs the shared data folder next to ASSISTANT_MODELS_DIR (e.g. ASSISTANT_MODELS_DIR=../shared/models)';
