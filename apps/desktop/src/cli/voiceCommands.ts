import fs from 'node:fs';
import path from 'node:path';
import { AssistantError, ErrorCode } from '@assistant/core';
import { resolveAppPaths } from '@assistant/core/node';
import { type AudioBuffer, decodeWav, encodeWav, resample } from '@assistant/voice';
import {
  createPiperTts,
  createSileroVad,
  createStreamingStt,
  createSystemVoice,
  createWhisperStt,
  defaultVoiceModels,
  locatePiperVoice,
  locateSileroVad,
  locateSttModel,
  resolveVoiceModel,
  vadSampleRate,
} from '@assistant/voice/node';
import type { CliIo } from './main.js';

/*
 * Voice commands run the engines in this process (they are one-shot tools); the app runs the same engines
 * in the voice worker. Models come from the models folder (ASSISTANT_MODELS_DIR), found by
 * locateVoiceModels like the host finds them.
 */

function readWav(file: string): AudioBuffer {
  let bytes: Buffer;
  try {
    bytes = fs.readFileSync(file);
  } catch (error) {
    throw new AssistantError(ErrorCode.InvalidInput, `Cannot read ${file}: ${(error as NodeJS.ErrnoException).code === 'ENOENT' ? 'no such file' : String(error)}.`);
  }
  try {
    return decodeWav(new Uint8Array(bytes.buffer, bytes.byteOffset, bytes.byteLength), file);
  } catch (error) {
    throw new AssistantError(ErrorCode.InvalidInput, error instanceof Error ? error.message : String(error));
  }
}

const seconds = (ms: number) => `${(ms / 1000).toFixed(2)} s`;

/** `vad FILE.wav`: the speech segments of a recording. */
export async function vadCommand(file: string | undefined, options: { threshold?: string; json: boolean }, io: CliIo): Promise<number> {
  if (!file) throw new AssistantError(ErrorCode.InvalidInput, 'vad needs a WAV file, e.g. npm run assistant -- vad recording.wav');
  const threshold = options.threshold === undefined ? 0.5 : Number(options.threshold);
  if (!(threshold >= 0.05 && threshold <= 0.95)) throw new AssistantError(ErrorCode.InvalidInput, `--threshold must be a number from 0.05 to 0.95, not "${options.threshold}".`);
  const audio = readWav(file);
  const vad = await createSileroVad({ modelPath: locateSileroVad(path.join(resolveAppPaths().modelsDir, defaultVoiceModels.vad)), threshold });
  const segments = await vad.segments(resample(audio.samples, audio.sampleRate, vadSampleRate));
  const durationMs = (audio.samples.length / audio.sampleRate) * 1000;
  if (options.json) {
    io.stdout.write(`${JSON.stringify({ segments, durationMs })}\n`);
    return 0;
  }
  io.stdout.write(`${segments.length} speech segment${segments.length === 1 ? '' : 's'} in ${seconds(durationMs)} of ${path.basename(file)}:\n`);
  for (const segment of segments) io.stdout.write(`  ${seconds(segment.startMs)} – ${seconds(segment.endMs)}\n`);
  return 0;
}

/** `transcribe FILE.wav`: the text of a recording, with the streaming model (default) or a Whisper folder. */
export async function transcribeCommand(file: string | undefined, options: { sttModel?: string; json: boolean }, io: CliIo): Promise<number> {
  if (!file) throw new AssistantError(ErrorCode.InvalidInput, 'transcribe needs a WAV file, e.g. npm run assistant -- transcribe recording.wav');
  const audio = readWav(file);
  const config = locateSttModel(resolveVoiceModel(options.sttModel ?? defaultVoiceModels.stt, resolveAppPaths().modelsDir));
  const stt = config.kind === 'transducer' ? await createStreamingStt(config) : await createWhisperStt(config);
  const text = await stt.transcribe(resample(audio.samples, audio.sampleRate, stt.sampleRate));
  io.stdout.write(options.json ? `${JSON.stringify({ text, engine: stt.kind })}\n` : `${text}\n`);
  return 0;
}

/** `say "text" --out FILE.wav`: Piper when a voice is installed (or given), else the system voice. */
export async function sayCommand(text: string, options: { out?: string; voice?: string; json: boolean }, io: CliIo): Promise<number> {
  if (!text) throw new AssistantError(ErrorCode.InvalidInput, 'say needs some text, e.g. npm run assistant -- say "Hello there" --out hello.wav');
  if (!options.out) throw new AssistantError(ErrorCode.InvalidInput, 'say needs --out FILE.wav: where to write the speech.');
  const modelsDir = resolveAppPaths().modelsDir;
  let engine: { name: string; voice: string; speak: (text: string) => Promise<AudioBuffer> };
  let note = '';
  const voiceDir = resolveVoiceModel(options.voice ?? defaultVoiceModels.piper, modelsDir);
  try {
    const piper = await createPiperTts(locatePiperVoice(voiceDir));
    engine = { name: 'piper', voice: piper.voice, speak: (t) => piper.speak(t) };
  } catch (error) {
    // A voice the user named must work; the default one may simply not be installed.
    if (options.voice) throw error;
    note = error instanceof Error ? error.message : String(error);
    const system = await createSystemVoice();
    engine = { name: 'system', voice: system.voice, speak: (t) => system.speak(t) };
  }
  const started = performance.now();
  const audio = await engine.speak(text);
  const elapsedMs = performance.now() - started;
  const out = path.resolve(options.out);
  fs.writeFileSync(out, encodeWav(audio.samples, audio.sampleRate));
  const durationMs = (audio.samples.length / audio.sampleRate) * 1000;
  if (options.json) {
    io.stdout.write(`${JSON.stringify({ out, engine: engine.name, voice: engine.voice, sampleRate: audio.sampleRate, durationMs, synthesisMs: Math.round(elapsedMs) })}\n`);
  } else {
    if (note) io.stderr.write(`No Piper voice (${note}) Using the system voice.\n`);
    io.stdout.write(`Wrote ${out} (${seconds(durationMs)} at ${audio.sampleRate} Hz) with the ${engine.name === 'piper' ? 'Piper' : 'system'} voice ${engine.voice}.\n`);
  }
  return 0;
}
