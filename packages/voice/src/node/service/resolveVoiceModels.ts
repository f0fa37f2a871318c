import path from 'node:path';
import type { Settings, SttConfig, TtsConfig } from '@assistant/core';
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
}

/**
 * Which VAD, STT model and Piper voice to use: the setting (a model name or a folder) if given, else the
 * installed manifest model of that kind; the locators turn a folder into the engine's files. A folder that
 * lacks one is reported by name, so "the Piper voice folder … has no tokens.txt" reaches the banner.
 */
export async function resolveVoiceModels(models: ModelManager, settings: Pick<Settings, 'sttModel' | 'ttsVoice'>): Promise<ResolvedVoiceModels> {
  const installed = await models.installed();
  const find = (kind: 'vad' | 'stt' | 'tts', requested: string | null) =>
    requested ? (installed.find((model) => model.kinds.includes(kind) && model.name === requested)?.path ?? path.resolve(requested)) : (installed.find((model) => model.kinds.includes(kind))?.path ?? null);

  const vadPath = find('vad', null);
  let vadFile: string | null = null;
  let vadProblem: string | null = 'the voice detector (Silero VAD) is not installed';
  if (vadPath) {
    try {
      vadFile = locateSileroVad(vadPath);
      vadProblem = null;
    } catch (error) {
      vadProblem = clause(error);
    }
  }

  let stt: SttConfig | null = null;
  let sttProblem: string | null = null;
  const sttFolder = find('stt', settings.sttModel);
  if (sttFolder) {
    try {
      stt = locateSttModel(sttFolder);
    } catch (error) {
      sttProblem = clause(error);
    }
  } else sttProblem = 'no speech-to-text model is installed';

  let tts: TtsConfig | null = null;
  let ttsProblem: string | null = null;
  const ttsFolder = find('tts', settings.ttsVoice);
  if (ttsFolder) {
    try {
      tts = locatePiperVoice(ttsFolder);
    } catch (error) {
      ttsProblem = clause(error);
    }
  } else ttsProblem = 'no Piper voice is installed';

  return {
    vad: vadFile,
    vadProblem,
    stt,
    sttProblem,
    tts,
    ttsProblem,
  };
}

/** A locator's sentence ("The Piper voice folder … has no tokens.txt.") as a clause for the banner. */
function clause(error: unknown): string {
  const message = error instanceof Error ? error.message : String(error);
  return message.charAt(0).toLowerCase() + message.slice(1).replace(/\.$/, '');
}
