import { createRequire } from 'node:module';
import { AssistantError, ErrorCode } from '@assistant/core';

/*
 * The slice of sherpa-onnx-node (a CommonJS addon without type declarations) that the engines use,
 * typed after its JSDoc (node_modules/sherpa-onnx-node/types.js). On Linux and macOS the addon finds its
 * bundled onnxruntime through its own rpath, so no LD_LIBRARY_PATH is needed.
 */
export interface SherpaSpeechSegment {
  start: number;
  samples: Float32Array;
}
export interface SherpaVad {
  acceptWaveform(samples: Float32Array): void;
  isEmpty(): boolean;
  isDetected(): boolean;
  front(enableExternalBuffer?: boolean): SherpaSpeechSegment;
  pop(): void;
  clear(): void;
  reset(): void;
  flush(): void;
}
export interface SherpaOnlineStream {
  acceptWaveform(wave: { samples: Float32Array; sampleRate: number }): void;
  inputFinished(): void;
}
export interface SherpaOnlineRecognizer {
  createStream(): SherpaOnlineStream;
  isReady(stream: SherpaOnlineStream): boolean;
  decode(stream: SherpaOnlineStream): void;
  reset(stream: SherpaOnlineStream): void;
  getResult(stream: SherpaOnlineStream): { text: string };
}
export interface SherpaOfflineStream {
  acceptWaveform(wave: { samples: Float32Array; sampleRate: number }): void;
}
export interface SherpaOfflineRecognizer {
  createStream(): SherpaOfflineStream;
  decodeAsync(stream: SherpaOfflineStream): Promise<void>;
  getResult(stream: SherpaOfflineStream): { text: string };
}
export interface SherpaGeneratedAudio {
  samples: Float32Array;
  sampleRate: number;
}
export interface SherpaOfflineTts {
  readonly sampleRate: number;
  readonly numSpeakers: number;
  generateAsync(request: { text: string; sid: number; speed: number; onProgress?: (info: { samples: Float32Array; progress: number }) => number | boolean | void }): Promise<SherpaGeneratedAudio>;
}
export interface SherpaOnnx {
  Vad: new (config: object, bufferSizeInSeconds: number) => SherpaVad;
  OnlineRecognizer: new (config: object) => SherpaOnlineRecognizer;
  OfflineRecognizer: { createAsync(config: object): Promise<SherpaOfflineRecognizer> };
  OfflineTts: { createAsync(config: object): Promise<SherpaOfflineTts> };
  version: string;
}

let cached: SherpaOnnx | null = null;

/** Loads the addon on first use, so a machine without it loses only the voice engines, with a reason. */
export function loadSherpaOnnx(): SherpaOnnx {
  if (cached) return cached;
  try {
    cached = createRequire(import.meta.url)('sherpa-onnx-node') as SherpaOnnx;
    return cached;
  } catch (error) {
    const detail = error instanceof Error ? error.message.split('\n')[0] : String(error);
    throw new AssistantError(ErrorCode.VoiceEngineFailed, `The speech engine (sherpa-onnx-node) could not be loaded on this machine: ${detail}`, { cause: error });
  }
}
