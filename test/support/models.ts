import fs from 'node:fs';
import path from 'node:path';

/**
 * Test models come from ASSISTANT_MODELS_DIR (CI points it at shared/models). A test whose model is
 * absent skips and its title names the file it needed.
 */
export const modelsDir = process.env.ASSISTANT_MODELS_DIR ? path.resolve(process.env.ASSISTANT_MODELS_DIR) : null;

export function modelFile(relative: string): string | null {
  if (!modelsDir) return null;
  const file = path.join(modelsDir, relative);
  return fs.existsSync(file) ? file : null;
}

export const tinyChatModelName = 'stories260k/stories260K.gguf';
export const tinyChatModel = modelFile(tinyChatModelName);
export const needsTinyModel = `needs ${tinyChatModelName} in ASSISTANT_MODELS_DIR`;
