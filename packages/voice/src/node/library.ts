// The voice capabilities the host composes, without the engines: sherpa-onnx runs in the voice worker, so
// the host (and Electron main) never load it.
import type { VoiceLibraryFactory } from '@assistant/core/node';
import { VoiceService } from './service/VoiceService.js';

export { VoiceService, type VoiceServiceOptions } from './service/VoiceService.js';

export const createVoiceLibrary: VoiceLibraryFactory = (context) => VoiceService.create(context);
