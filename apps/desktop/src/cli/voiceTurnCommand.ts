import fs from 'node:fs';
import path from 'node:path';
import { AssistantError, ErrorCode, plural } from '@assistant/core';
import { decodeWav, encodeWav, runVoiceTurn } from '@assistant/voice';
import { createNodeHost } from '../node/createNodeHost.js';
import { connectInMemory } from './connectInMemory.js';
import type { CliIo } from './main.js';

export interface VoiceTurnCommandOptions {
  out?: string;
  model: string | null;
  /** Stands in for the transcript when no speech-to-text model is installed. */
  text?: string;
  json: boolean;
}

/**
 * A whole spoken turn from a recording, through the same host, workers and contract as the app: VAD and
 * STT, the reply from the chat model, each sentence spoken as soon as it is complete; prints each stage's
 * timing and writes the spoken reply.
 */
export async function voiceTurnCommand(file: string | undefined, options: VoiceTurnCommandOptions, io: CliIo): Promise<number> {
  if (!file) throw new AssistantError(ErrorCode.InvalidInput, 'voice-turn needs a recording, e.g. npm run assistant -- voice-turn question.wav --out reply.wav');
  if (!options.out) throw new AssistantError(ErrorCode.InvalidInput, 'voice-turn needs --out REPLY.wav for the spoken reply.');
  const bytes = await fs.promises.readFile(file).catch((error: NodeJS.ErrnoException) => {
    throw new AssistantError(ErrorCode.InvalidInput, `${file} cannot be read (${error.code ?? error.message}).`);
  });
  const recording = decodeWav(bytes, path.basename(file));
  const host = await createNodeHost({ model: options.model, logLevel: (process.env.ASSISTANT_LOG_LEVEL as 'debug' | undefined) ?? 'error' });
  const client = connectInMemory(host);
  const controller = new AbortController();
  const onSigint = () => controller.abort();
  process.once('SIGINT', onSigint);
  try {
    const turn = await runVoiceTurn(client, recording, { text: options.text, signal: controller.signal }).catch((error: unknown) => {
      if ((error as AssistantError).code === ErrorCode.VoiceUnavailable && !options.text) {
        throw new AssistantError(ErrorCode.VoiceUnavailable, `${(error as Error).message} Pass --text "..." to run the rest of the turn with that text.`);
      }
      throw error;
    });
    await fs.promises.writeFile(options.out, encodeWav(turn.audio.samples, turn.audio.sampleRate));
    const ms = (value: number | null) => (value === null ? '—' : `${value.toFixed(1)} ms`);
    if (options.json) {
      io.stdout.write(`${JSON.stringify({ transcript: turn.transcript, heard: turn.heard, segments: turn.segments, reply: turn.reply, sentences: turn.sentences.length, engine: turn.engine, out: options.out, timings: turn.timings })}\n`);
    } else {
      io.stdout.write(
        [
          `heard:     ${turn.heard ? turn.transcript : `(no transcript: used --text) ${turn.transcript}`}`,
          `reply:     ${turn.reply}`,
          `spoken:    ${plural(turn.sentences.length, 'sentence')} with the ${turn.engine === 'piper' ? 'Piper voice' : 'system voice'} → ${options.out}`,
          '',
          `end of speech → final transcript   ${ms(turn.timings.finalTranscriptMs)}`,
          `final transcript → first token     ${ms(turn.timings.firstTokenMs)}`,
          `final transcript → first sentence  ${ms(turn.timings.firstSentenceMs)}`,
          `final transcript → first audio     ${ms(turn.timings.firstAudioMs)}`,
          `first sentence → its audio         ${ms(turn.timings.sentenceToAudioMs)}`,
          `whole turn                         ${ms(turn.timings.totalMs)}`,
          '',
        ].join('\n'),
      );
    }
    return 0;
  } finally {
    process.off('SIGINT', onSigint);
    client.dispose();
    await host.dispose();
  }
}
