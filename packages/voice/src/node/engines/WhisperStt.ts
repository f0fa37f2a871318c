import { AssistantError, cancelledError, ErrorCode } from '@assistant/core';
import { requireModelFile } from '../locateVoiceModels.js';
import { loadSherpaOnnx, type SherpaOfflineRecognizer } from './sherpaOnnx.js';
import { sttSampleRate } from './StreamingStt.js';

export interface WhisperSttOptions {
  encoder: string;
  decoder: string;
  tokens: string;
  /** Spoken language ("en", "de", ...). */
  language?: string;
  threads?: number;
}

export interface WhisperStt {
  readonly kind: 'whisper';
  readonly streaming: false;
  readonly sampleRate: number;
  /** Transcribes one whole 16 kHz utterance (Whisper has no partial results). */
  transcribe(samples: Float32Array, options?: { signal?: AbortSignal }): Promise<string>;
}

/** Offline Whisper through sherpa-onnx's OfflineRecognizer: one result per utterance. */
export async function createWhisperStt(options: WhisperSttOptions): Promise<WhisperStt> {
  for (const file of [options.encoder, options.decoder, options.tokens]) requireModelFile(file, 'The Whisper folder');
  const sherpa = loadSherpaOnnx();
  let recognizer: SherpaOfflineRecognizer;
  try {
    recognizer = await sherpa.OfflineRecognizer.createAsync({
      featConfig: { sampleRate: sttSampleRate, featureDim: 80 },
      modelConfig: {
        whisper: { encoder: options.encoder, decoder: options.decoder, language: options.language ?? 'en', task: 'transcribe', tailPaddings: -1 },
        tokens: options.tokens,
        numThreads: options.threads ?? 1,
        provider: 'cpu',
        debug: 0,
      },
      decodingMethod: 'greedy_search',
    });
  } catch (error) {
    throw new AssistantError(ErrorCode.ModelLoadFailed, `The Whisper model could not be loaded (${options.encoder}): ${error instanceof Error ? error.message : String(error)}`, { cause: error });
  }
  return {
    kind: 'whisper',
    streaming: false,
    sampleRate: sttSampleRate,
    async transcribe(samples, { signal } = {}) {
      if (signal?.aborted) throw cancelledError();
      const stream = recognizer.createStream();
      stream.acceptWaveform({ samples, sampleRate: sttSampleRate });
      await recognizer.decodeAsync(stream);
      if (signal?.aborted) throw cancelledError();
      return recognizer.getResult(stream).text.trim();
    },
  };
}
