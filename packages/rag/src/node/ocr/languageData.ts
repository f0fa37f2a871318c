import fs from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';
import { ErrorCode } from '@assistant/core';
import { documentError } from '../loaders/DocumentError.js';

const require = createRequire(import.meta.url);

/** Where tesseract.js finds each language's trained data: the packaged English, then one folder of the user's. */
export interface LanguageData {
  /** The folder of the packaged (gzipped) English LSTM model: `4.0.0_best_int` of @tesseract.js-data/eng. */
  packagedDir: string;
  /** The models folder holding every other requested `<code>.traineddata`, or null when only English is used. */
  userDir: string | null;
  /** The gzipped orientation and script detection data (@tesseract.js-data/osd), for upside-down and sideways pages. */
  osdFile: string;
}

const packaged = (name: string, version: string) => path.join(path.dirname(require.resolve(`@tesseract.js-data/${name}/package.json`)), version);

/**
 * English ships with the app (npm @tesseract.js-data/eng, the integer-quantised LSTM model: 2.9 MB). Other
 * languages are `<code>.traineddata` files (from tessdata_fast or tessdata_best) imported into the models
 * folder like any model: they are looked up in `modelsDir` and its sub-folders. tesseract.js reads all
 * non-packaged languages from one folder, so they must sit side by side. Throws a sentence naming the
 * missing language and how to add it.
 */
export function resolveLanguageData(languages: readonly string[], modelsDir: string | null): LanguageData {
  const packagedDir = packaged('eng', '4.0.0_best_int');
  const osdFile = path.join(packaged('osd', '4.0.0_best_int'), 'osd.traineddata.gz');
  const others = languages.filter((code) => code !== 'eng');
  if (others.length === 0) return { packagedDir, userDir: null, osdFile };
  const folders = modelsDir ? candidateFolders(modelsDir) : [];
  const found = new Map(others.map((code) => [code, folders.filter((folder) => fs.existsSync(path.join(folder, `${code}.traineddata`)))]));
  const missing = others.filter((code) => found.get(code)!.length === 0);
  if (missing.length > 0) {
    const files = missing.map((code) => `${code}.traineddata`).join(', ');
    const where = modelsDir ? `the models folder (${modelsDir})` : 'the models folder';
    throw documentError(
      ErrorCode.ModelNotFound,
      `OCR language data missing: ${files} is not in ${where}. Put the file in a folder and import it (models import FOLDER), or change the OCR languages in Settings.`,
    );
  }
  const shared = folders.find((folder) => others.every((code) => found.get(code)!.includes(folder)));
  if (!shared) {
    throw documentError(ErrorCode.ModelNotFound, `OCR languages ${others.join(', ')} are in different model folders; import their .traineddata files together in one folder.`);
  }
  return { packagedDir, userDir: shared, osdFile };
}

/** The models folder and its sub-folders (two levels: `models/tessdata`, `models/ocr/tessdata`). */
function candidateFolders(root: string): string[] {
  const out = [root];
  const walk = (folder: string, depth: number) => {
    if (depth === 0) return;
    let entries: fs.Dirent[];
    try {
      entries = fs.readdirSync(folder, { withFileTypes: true });
    } catch {
      return;
    }
    for (const entry of entries) {
      if (!entry.isDirectory() || entry.name.startsWith('.')) continue;
      const full = path.join(folder, entry.name);
      out.push(full);
      walk(full, depth - 1);
    }
  };
  walk(root, 2);
  return out;
}
