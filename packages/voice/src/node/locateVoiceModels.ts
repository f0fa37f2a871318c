import fs from 'node:fs';
import path from 'node:path';
import { AssistantError, ErrorCode, type SttConfig } from '@assistant/core';

/** Where the default voice models live inside the models folder (as the manifest unpacks them). */
export const defaultVoiceModels = {
  vad: 'silero-vad/silero_vad.onnx',
  stt: 'sherpa-onnx-streaming-zipformer-en-2023-06-26',
  piper: 'vits-piper-en_US-amy-low',
} as const;

export interface PiperVoiceFiles {
  engine: 'piper';
  model: string;
  tokens: string;
  dataDir: string;
}

/** Each model's files, or why it cannot be used (naming the file or folder that is missing). */
export interface LocatedVoiceModels {
  vad: { modelPath: string } | { missing: string };
  stt: SttConfig | { missing: string };
  piper: PiperVoiceFiles | { missing: string };
}

const missing = (message: string) => new AssistantError(ErrorCode.ModelNotFound, message);

function isDirectory(file: string): boolean {
  return fs.statSync(file, { throwIfNoEntry: false })?.isDirectory() === true;
}

/** Throws a "folder X has no Y" error unless `file` exists; `what` is e.g. "The Piper voice folder". */
export function requireModelFile(file: string, what: string, kind: 'file' | 'folder' = 'file'): string {
  const stat = fs.statSync(file, { throwIfNoEntry: false });
  const ok = kind === 'file' ? stat?.isFile() : stat?.isDirectory();
  if (!ok) throw missing(`${what} ${path.dirname(file)} has no ${path.basename(file)}${kind === 'folder' ? ' folder' : ''}.`);
  return file;
}

function requireFolder(dir: string, what: string): void {
  if (!isDirectory(dir)) throw missing(`${what} ${dir} does not exist.`);
}

/** The one file in `dir` matching `pattern`; int8 variants preferred (faster on CPU, same accuracy in practice). */
function pick(dir: string, pattern: RegExp, what: string, description: string): string {
  const names = fs.readdirSync(dir).filter((name) => pattern.test(name)).sort();
  const chosen = names.find((name) => name.includes('.int8.')) ?? names[0];
  if (!chosen) throw missing(`${what} ${dir} has no ${description}.`);
  return path.join(dir, chosen);
}

/** A model given by name (a folder in the models folder) or by path. */
export function resolveVoiceModel(nameOrPath: string, modelsDir: string): string {
  const looksLikePath = path.isAbsolute(nameOrPath) || nameOrPath.startsWith('.') || /[\\/]/.test(nameOrPath);
  const inModels = path.join(modelsDir, nameOrPath);
  if (!looksLikePath) return inModels;
  return fs.existsSync(inModels) && !fs.existsSync(nameOrPath) ? inModels : path.resolve(nameOrPath);
}

export function locateSileroVad(fileOrDir: string): string {
  if (isDirectory(fileOrDir)) return requireModelFile(path.join(fileOrDir, 'silero_vad.onnx'), 'The Silero VAD folder');
  return requireModelFile(fileOrDir, 'The folder');
}

/** A streaming Zipformer transducer folder: encoder-*.onnx, decoder-*.onnx, joiner-*.onnx, tokens.txt. */
export function locateTransducer(dir: string): Extract<SttConfig, { kind: 'transducer' }> {
  const what = 'The speech-to-text folder';
  requireFolder(dir, what);
  return {
    kind: 'transducer',
    encoder: pick(dir, /^encoder.*\.onnx$/, what, 'encoder-*.onnx'),
    decoder: pick(dir, /^decoder.*\.onnx$/, what, 'decoder-*.onnx'),
    joiner: pick(dir, /^joiner.*\.onnx$/, what, 'joiner-*.onnx'),
    tokens: requireModelFile(path.join(dir, 'tokens.txt'), what),
  };
}

/** A Whisper folder as sherpa-onnx exports it: <name>-encoder.onnx, <name>-decoder.onnx, <name>-tokens.txt. */
export function locateWhisper(dir: string, language = 'en'): Extract<SttConfig, { kind: 'whisper' }> {
  const what = 'The Whisper folder';
  requireFolder(dir, what);
  return {
    kind: 'whisper',
    encoder: pick(dir, /encoder.*\.onnx$/, what, '*-encoder.onnx'),
    decoder: pick(dir, /decoder.*\.onnx$/, what, '*-decoder.onnx'),
    tokens: pick(dir, /tokens\.txt$/, what, '*-tokens.txt'),
    language,
  };
}

/** Either kind of STT folder: a joiner means a transducer, otherwise Whisper. */
export function locateSttModel(dir: string): SttConfig {
  requireFolder(dir, 'The speech-to-text folder');
  const hasJoiner = fs.readdirSync(dir).some((name) => /^joiner.*\.onnx$/.test(name));
  return hasJoiner ? locateTransducer(dir) : locateWhisper(dir);
}

/** A Piper voice folder: <voice>.onnx, tokens.txt and espeak-ng-data/. */
export function locatePiperVoice(dir: string): PiperVoiceFiles {
  const what = 'The Piper voice folder';
  requireFolder(dir, what);
  const model = pick(dir, /\.onnx$/, what, 'voice model (*.onnx)');
  return {
    engine: 'piper',
    model,
    tokens: requireModelFile(path.join(dir, 'tokens.txt'), what),
    dataDir: requireModelFile(path.join(dir, 'espeak-ng-data'), what, 'folder'),
  };
}

function attempt<T>(locate: () => T): T | { missing: string } {
  try {
    return locate();
  } catch (error) {
    return { missing: error instanceof Error ? error.message : String(error) };
  }
}

/** The default voice models in a models folder, each found or with the reason it is not. */
export function locateVoiceModels(modelsDir: string): LocatedVoiceModels {
  return {
    vad: attempt(() => ({ modelPath: locateSileroVad(path.join(modelsDir, defaultVoiceModels.vad)) })),
    stt: attempt(() => locateSttModel(path.join(modelsDir, defaultVoiceModels.stt))),
    piper: attempt(() => locatePiperVoice(path.join(modelsDir, defaultVoiceModels.piper))),
  };
}
