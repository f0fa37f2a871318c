import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { createMemoryTransportPair, createRpcClient, hostContract } from '@assistant/core';
import { silentLogger } from '@assistant/core/node';
import { type AudioBuffer, SentenceSplitter, decodeWav, resample, runVoiceTurn, speakableText } from '@assistant/voice';
import { createPiperTts, createSileroVad, createStreamingStt, createSystemVoice, locateVoiceModels } from '@assistant/voice/node';
import { createNodeHost } from '../apps/desktop/src/node/createNodeHost.js';
import { benchModelPath, benchSystemPrompt as systemPrompt, createBareChat } from './bareChat.js';
import { median, percentile, printReport, round } from './report.js';

interface Turn {
  file: string;
  transcript: string;
  audio: AudioBuffer;
}

/** The recorded turns: every speech file of the shared data that has a reference transcript. */
function recordedTurns(speechDir: string, only?: string[]): Turn[] {
  const files = fs.readdirSync(speechDir, { recursive: true, encoding: 'utf8' }).filter((name) => name.endsWith('.wav'));
  const lines = fs.readFileSync(path.join(speechDir, 'transcripts.jsonl'), 'utf8').split('\n').filter(Boolean);
  const turns: Turn[] = [];
  for (const line of lines) {
    const entry = JSON.parse(line) as { file: string; text: string };
    const match = files.find((file) => path.basename(file) === path.basename(entry.file));
    if (!match || (only && !only.some((name) => match.includes(name)))) continue;
    const full = path.join(speechDir, match);
    turns.push({ file: match, transcript: entry.text, audio: decodeWav(fs.readFileSync(full), full) });
  }
  return turns;
}

/**
 * Recorded turns through the app (renderer-sized 100 ms frames → host → voice worker VAD/STT → chat in the
 * inference worker → sentences → voice worker TTS) against the bare engines doing the same work in this
 * process in the same run: VAD over the clip, STT of the utterance, node-llama-cpp to the first complete
 * sentence of the same prompt, synthesis of that sentence. The app's first audio comes `added_ms` after
 * what the engines alone need. Without an STT model the reference transcript stands in (and STT is skipped).
 */
export async function benchVoice(argv: string[]): Promise<void> {
  const { values } = parseArgs({ args: argv, options: { model: { type: 'string' }, files: { type: 'string' }, turns: { type: 'string', default: '8' }, tokens: { type: 'string', default: '48' } } });
  const modelsDir = process.env.ASSISTANT_MODELS_DIR ? path.resolve(process.env.ASSISTANT_MODELS_DIR) : '';
  const modelPath = benchModelPath('voice', values.model);
  const speechDir = path.join(path.dirname(modelsDir), 'data', 'speech');
  if (!fs.existsSync(path.join(speechDir, 'transcripts.jsonl'))) throw new Error(`bench voice needs the shared speech data next to ASSISTANT_MODELS_DIR (looked in ${speechDir}).`);
  const turns = recordedTurns(speechDir, values.files?.split(',')).slice(0, Number(values.turns));
  const maxTokens = Number(values.tokens);
  const located = locateVoiceModels(modelsDir);
  if ('missing' in located.vad) throw new Error(`bench voice needs Silero VAD: ${located.vad.missing}`);

  // Bare engines, loaded once, in this process.
  const vad = await createSileroVad({ modelPath: located.vad.modelPath });
  const stt = 'missing' in located.stt || located.stt.kind !== 'transducer' ? null : await createStreamingStt(located.stt);
  const tts = 'missing' in located.piper ? await createSystemVoice() : await createPiperTts(located.piper);
  const bareChat = await createBareChat(modelPath);
  const { threads, contextSize } = bareChat;

  const home = fs.mkdtempSync(path.join(os.tmpdir(), 'bench-voice-'));
  const host = await createNodeHost({ home, modelsDir, model: modelPath, logger: silentLogger });
  const [clientSide, hostSide] = createMemoryTransportPair();
  host.connect(hostSide);
  const client = createRpcClient(hostContract, clientSide);
  await client.call('settings.update', { temperature: 0, maxTokens, threads, contextSize, systemPrompt });
  await runVoiceTurn(client, turns[0]!.audio, { text: turns[0]!.transcript }); // warm-up: workers started, models loaded
  const state = await client.call('voice.getState', {});

  const rows: Record<string, string | number>[] = [];
  const added: number[] = [];
  const sentenceToAudio: number[] = [];
  const rtf = { stt: [] as number[], tts: [] as number[] };
  for (const turn of turns) {
    const app = await runVoiceTurn(client, turn.audio, { text: turn.transcript });
    const samples = resample(turn.audio.samples, turn.audio.sampleRate, 16_000);

    let t = performance.now();
    const segments = await vad.segments(samples);
    const vadMs = performance.now() - t;
    let sttMs: number | null = null;
    if (stt && segments.length > 0) {
      const from = Math.floor((segments[0]!.startMs / 1000) * 16_000);
      const to = Math.ceil((segments.at(-1)!.endMs / 1000) * 16_000);
      t = performance.now();
      await stt.transcribe(samples.subarray(from, to));
      sttMs = performance.now() - t;
      rtf.stt.push(sttMs / (((to - from) / 16_000) * 1000));
    }
    const splitter = new SentenceSplitter();
    let firstSentence: string | null = null;
    let firstSentenceMs = 0;
    t = performance.now();
    const { ttftMs: firstTokenMs } = await bareChat.run(app.transcript, maxTokens, (chunk) => {
      const done = splitter.push(chunk);
      if (firstSentence === null && done.length > 0) {
        firstSentence = done[0]!;
        firstSentenceMs = performance.now() - t;
      }
    });
    if (firstSentence === null) {
      firstSentence = splitter.flush()[0] ?? '';
      firstSentenceMs = performance.now() - t;
    }
    const spoken = speakableText(firstSentence) || 'Hello.';
    t = performance.now();
    const speech = await tts.speak(spoken);
    const ttsMs = performance.now() - t;
    rtf.tts.push(ttsMs / ((speech.samples.length / speech.sampleRate) * 1000));

    const bareFirstAudio = firstSentenceMs + ttsMs + (sttMs ?? 0);
    const appFirstAudio = (app.timings.firstAudioMs ?? Number.NaN) + (stt ? (app.timings.finalTranscriptMs ?? 0) : 0);
    added.push(appFirstAudio - bareFirstAudio);
    if (app.timings.sentenceToAudioMs !== null) sentenceToAudio.push(app.timings.sentenceToAudioMs);
    rows.push({
      turn: path.basename(turn.file),
      'app final ms': app.heard ? round(app.timings.finalTranscriptMs ?? Number.NaN, 1) : 'no STT',
      'app 1st token': round(app.timings.firstTokenMs ?? Number.NaN, 1),
      'app 1st sentence': round(app.timings.firstSentenceMs ?? Number.NaN, 1),
      'app 1st audio': round(app.timings.firstAudioMs ?? Number.NaN, 1),
      'bare vad': round(vadMs, 1),
      'bare stt': sttMs === null ? '—' : round(sttMs, 1),
      'bare 1st token': round(firstTokenMs, 1),
      'bare 1st sentence': round(firstSentenceMs, 1),
      'bare tts': round(ttsMs, 1),
      'added ms': round(appFirstAudio - bareFirstAudio, 1),
    });
  }
  client.dispose();
  await host.dispose();
  await bareChat.dispose();
  fs.rmSync(home, { recursive: true, force: true });

  printReport('voice', rows, {
    turns: turns.length,
    tier: state.tier,
    stt_engine: stt ? 'transducer' : 'none (reference transcript stands in)',
    tts_engine: tts.engine,
    chat_model: path.basename(modelPath),
    added_ms_p50: round(median(added), 1),
    added_ms_p95: round(percentile(added, 95), 1),
    added_target_ms: 50,
    sentence_to_audio_ms_p50: round(median(sentenceToAudio), 1),
    sentence_to_audio_ms_p95: round(percentile(sentenceToAudio, 95), 1),
    sentence_to_audio_target_ms: 150,
    stt_rtf: rtf.stt.length > 0 ? round(median(rtf.stt)) : 'no STT model',
    tts_rtf: round(median(rtf.tts)),
  });
}
