import type { InstalledModel, ModelKind } from './contract/schemas.js';

/**
 * The installed model of `kind` that a setting or `--model` names: its full name ("stories260k/stories260K"),
 * else its last name segment ("stories260K") in any case. The one rule for the host, the settings check and
 * voice; a value that names none may still be a path (checked where files can be seen).
 */
export function findInstalledModel(installed: readonly InstalledModel[], kind: ModelKind, value: string): InstalledModel | null {
  const usable = installed.filter((model) => model.kinds.includes(kind));
  const short = value.toLowerCase();
  return usable.find((model) => model.name === value) ?? usable.find((model) => model.name.toLowerCase().split('/').pop() === short) ?? null;
}

/** What a path must be to serve as a model of `kind`: a GGUF file, or a voice model's folder. */
export function modelPathType(kind: ModelKind): 'file' | 'folder' {
  return kind === 'chat' || kind === 'embedding' || kind === 'reranker' ? 'file' : 'folder';
}
