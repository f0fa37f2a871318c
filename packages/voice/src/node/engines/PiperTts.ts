import path from 'node:path';
import { AssistantError, cancelledError, ErrorCode } from '@assistant/core';
import type { AudioBuffer } from '../../common/audio/pcm.js';
import { requireModelFile } from '../locateVoiceModels.js';
import { loadSherpaOnnx, type SherpaOfflineTts } from './sherpaOnnx.js';

export interface PiperTtsOptions {
  /** The voice's VITS ONNX file. */
  model: string;
  tokens: string;
  /** espeak-ng-data, which Piper phonemises with. */
  dataDir: string;
  threads?: number;
}

export interface SpeakOptions {
  /** 1 is the voice's normal rate; 2 twice as fast. */
  speed?: number;
  signal?: AbortSignal;
}

export interface PiperTts {
  readonly engine: 'piper';
  /** The voice's name (its model file without .onnx). */
  readonly voice: string;
  readonly sampleRate: number;
  speak(text: string, options?: SpeakOptions): Promise<AudioBuffer>;
}

/** A Piper voice through sherpa-onnx's OfflineTts (VITS); missing files are named in the error. */
export async function createPiperTts(options: PiperTtsOptions): Promise<PiperTts> {
  const what = 'The Piper voice folder';
  requireModelFile(options.model, what);
  requireModelFile(options.tokens, what);
  requireModelFile(options.dataDir, what, 'folder');
  const sherpa = loadSherpaOnnx();
  let tts: SherpaOfflineTts;
  try {
    tts = await sherpa.OfflineTts.createAsync({
      model: { vits: { model: options.model, tokens: options.tokens, dataDir: options.dataDir }, numThreads: options.threads ?? 1, provider: 'cpu', debug: 0 },
      maxNumSentences: 1,
    });
  } catch (error) {
    throw new AssistantError(ErrorCode.ModelLoadFailed, `The Piper voice ${options.model} could not be loaded: ${error instanceof Error ? error.message : String(error)}`, { cause: error });
  }
  return {
    engine: 'piper',
    voice: path.basename(options.model, '.onnx'),
    sampleRate: tts.sampleRate,
    async speak(text, { speed = 1, signal } = {}) {
      if (signal?.aborted) throw cancelledError();
      // sherpa-onnx's speed is 1/lengthScale of the VITS model; returning 0 from the progress callback stops it.
      const audio = await tts.generateAsync({ text, sid: 0, speed, onProgress: () => (signal?.aborted ? 0 : 1) });
      if (signal?.aborted) throw cancelledError();
      if (!audio.samples.length) throw new AssistantError(ErrorCode.VoiceEngineFailed, `The Piper voice produced no audio for "${text.slice(0, 40)}".`);
      return { samples: audio.samples, sampleRate: audio.sampleRate };
    },
  };
}
