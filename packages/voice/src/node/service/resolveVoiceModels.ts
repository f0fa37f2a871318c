import path from 'node:path';
import { type Settings, type SttConfig, type TtsConfig, findInstalledModel } from '@assistant/core';
import type { ModelManager } from '@assistant/core/node';
import { locatePiperVoice, locateSileroVad, locateSttModel } from '../locateVoiceModels.js';

/** The voice models to load, or why each one is missing (in words for the banner). */
export interface ResolvedVoiceModels {
  vad: string | null;
  vadProblem: string | null;
  stt: SttConfig | null;
  sttProblem: string | null;
  tts: TtsConfig | null;
  ttsProblem: string | null;
  /** The kinds of which no model is installed at all (not a folder that lacks a file). */
  missing: ReadonlySet<'vad' | 'stt' | 'tts'>;
}

/**
 * Which VAD, STT model and Piper voice to use: the setting (a model name or a folder) if given, else the
 * installed manifest model of that kind; the locators turn a folder into the engine's files. A folder that
 * lacks one is reported by name, so "the Piper voice folder … has no tokens.txt" reaches the banner.
 */
export async function resolveVoiceModels(models: ModelManager, settings: Pick<Settings, 'sttModel' | 'ttsVoice'>): Promise<ResolvedVoiceModels> {
  const installed = await models.installed();
  const find = (kind: 'vad' | 'stt' | 'tts', requested: string | null) =>
    requested ? (findInstalledModel(installed, kind, requested)?.path ?? path.resolve(requested)) : (installed.find((model) => model.kinds.includes(kind))?.path ?? null);

  const vad = locate(find('vad', null), locateSileroVad, 'the voice detector (Silero VAD) is not installed');
  const stt = locate(find('stt', settings.sttModel), locateSttModel, 'no speech-to-text model is installed');
  const tts = locate(find('tts', settings.ttsVoice), locatePiperVoice, 'no Piper voice is installed');

  return {
    vad: vad.found,
    vadProblem: vad.problem,
    stt: stt.found,
    sttProblem: stt.problem,
    tts: tts.found,
    ttsProblem: tts.problem,
    missing: new Set((['vad', 'stt', 'tts'] as const).filter((kind) => ({ vad, stt, tts })[kind].absent)),
  };
}

/** A folder's engine files, or why there are none (no folder: `absent`; a locator's complaint otherwise). */
function locate<T>(folder: string | null, locator: (folder: string) => T, absent: string): { found: T | null; problem: string | null; absent: boolean } {
  if (!folder) return { found: null, problem: absent, absent: true };
  try {
    return { found: locator(folder), problem: null, absent: false };
  } catch (error) {
    return { found: null, problem: clause(error), absent: false };
  }
}

/** A locator's sentence ("The Piper voice folder … has no tokens.txt.") as a clause for the banner. */
function clause(error: unknown): string {
  const message = error instanceof Error ? error.message : String(error);
  return message.charAt(0).toLowerCase() + message.slice(1).replace(/\.$/, '');
}
