import { AssistantError, cancelledError, ErrorCode } from '@assistant/core';
import { requireModelFile } from '../locateVoiceModels.js';
import { loadSherpaOnnx, type SherpaOnlineRecognizer, type SherpaOnlineStream } from './sherpaOnnx.js';

export const sttSampleRate = 16_000;

export interface StreamingSttOptions {
  encoder: string;
  decoder: string;
  joiner: string;
  tokens: string;
  threads?: number;
}

/** One live utterance stream: audio in, the transcript so far out. */
export interface SttSession {
  /** Feeds 16 kHz audio; returns the transcript when it changed, else null. */
  accept(samples: Float32Array): string | null;
  /** The turn ended (VAD silence): the final transcript; the session is ready for the next turn. */
  finish(): string;
}

export interface StreamingStt {
  readonly kind: 'transducer';
  readonly streaming: true;
  readonly sampleRate: number;
  createSession(): SttSession;
  /** Transcribes one whole 16 kHz utterance. */
  transcribe(samples: Float32Array, options?: { signal?: AbortSignal }): Promise<string>;
}

// Trailing silence lets the transducer emit the last tokens it is still holding back.
const tailPadding = new Float32Array(Math.round(sttSampleRate * 0.5));

/**
 * Streaming Zipformer transducer (sherpa-onnx OnlineRecognizer) with endpointing off: the VAD decides when
 * the user's turn ends, the recogniser only transcribes.
 */
export async function createStreamingStt(options: StreamingSttOptions): Promise<StreamingStt> {
  for (const file of [options.encoder, options.decoder, options.joiner, options.tokens]) requireModelFile(file, 'The speech-to-text folder');
  const sherpa = loadSherpaOnnx();
  let recognizer: SherpaOnlineRecognizer;
  try {
    recognizer = new sherpa.OnlineRecognizer({
      featConfig: { sampleRate: sttSampleRate, featureDim: 80 },
      modelConfig: {
        transducer: { encoder: options.encoder, decoder: options.decoder, joiner: options.joiner },
        tokens: options.tokens,
        numThreads: options.threads ?? 1,
        provider: 'cpu',
        debug: 0,
      },
      decodingMethod: 'greedy_search',
      maxActivePaths: 4,
      enableEndpoint: 0,
    });
  } catch (error) {
    throw new AssistantError(ErrorCode.ModelLoadFailed, `The streaming speech-to-text model could not be loaded (${options.encoder}): ${error instanceof Error ? error.message : String(error)}`, { cause: error });
  }
  const decode = (stream: SherpaOnlineStream) => {
    while (recognizer.isReady(stream)) recognizer.decode(stream);
    return recognizer.getResult(stream).text.trim();
  };
  return {
    kind: 'transducer',
    streaming: true,
    sampleRate: sttSampleRate,
    createSession() {
      const stream = recognizer.createStream();
      let last = '';
      return {
        accept(samples) {
          stream.acceptWaveform({ samples, sampleRate: sttSampleRate });
          const text = decode(stream);
          if (text === last) return null;
          last = text;
          return text;
        },
        finish() {
          stream.acceptWaveform({ samples: tailPadding, sampleRate: sttSampleRate });
          const text = decode(stream);
          recognizer.reset(stream);
          last = '';
          return text;
        },
      };
    },
    async transcribe(samples, { signal } = {}) {
      const stream = recognizer.createStream();
      // A second at a time, so a long recording can be cancelled between pieces.
      for (let at = 0; at < samples.length; at += sttSampleRate) {
        if (signal?.aborted) throw cancelledError();
        stream.acceptWaveform({ samples: samples.slice(at, at + sttSampleRate), sampleRate: sttSampleRate });
        decode(stream);
        await new Promise<void>((resolve) => setImmediate(resolve));
      }
      stream.acceptWaveform({ samples: tailPadding, sampleRate: sttSampleRate });
      stream.inputFinished();
      return decode(stream);
    },
  };
}
