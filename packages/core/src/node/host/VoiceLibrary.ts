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
