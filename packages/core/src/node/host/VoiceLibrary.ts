import type { ContractHandlers } from '../../common/contract/defineContract.js';
import type { HostContract } from '../../common/contract/hostContract.js';
import type { VoiceState } from '../../common/contract/voiceSchemas.js';
import type { Event } from '../../common/disposable.js';
import type { Logger } from '../logger.js';
import type { ModelManager } from '../models/ModelManager.js';
import type { AppPaths } from '../paths.js';
import type { SettingsStore } from '../settings/SettingsStore.js';
import type { WorkerLauncher } from '../workers/WorkerLauncher.js';

export type VoiceMethods = 'voice.getState' | 'voice.retry' | 'voice.microphone' | 'voice.listen' | 'voice.listenEnd' | 'voice.speak';

/**
 * Listening and speaking as the host sees them. packages/voice implements it (the voice worker with
 * sherpa-onnx and the system voice, health per capability, the tier); the host only composes it.
 */
export interface VoiceLibrary {
  readonly handlers: Pick<ContractHandlers<HostContract>, VoiceMethods>;
  readonly state: VoiceState;
  readonly onDidChangeState: Event<VoiceState>;
  /** Speech for a text as a WAV file (the local API's /v1/audio/speech). */
  synthesize(text: string, signal?: AbortSignal): Promise<Uint8Array>;
  /** The transcript of a recording in a WAV file of any rate and channel count (/v1/audio/transcriptions). */
  transcribe(wav: Uint8Array, signal?: AbortSignal): Promise<string>;
  /** Models were installed or removed: a missing voice model may be there now. */
  modelsChanged?(): void;
  dispose(): Promise<void>;
}

export interface VoiceLibraryContext {
  paths: AppPaths;
  settings: SettingsStore;
  models: ModelManager;
  launcher: WorkerLauncher;
  logger: Logger;
  now?: () => number;
  breaker?: { failureThreshold?: number; openMs?: number };
}

export type VoiceLibraryFactory = (context: VoiceLibraryContext) => Promise<VoiceLibrary>;
