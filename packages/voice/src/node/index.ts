// Node side of @assistant/voice: the sherpa-onnx engines, the system voice, model discovery and the voice
// worker's engine set.
export { createPiperTts, type PiperTts, type PiperTtsOptions, type SpeakOptions } from './engines/PiperTts.js';
export { createSileroVad, type SileroVad, type SileroVadOptions, type VadEvent, type VadListener, vadSampleRate, vadWindowSize } from './engines/SileroVad.js';
export { createStreamingStt, type StreamingStt, type StreamingSttOptions, type SttSession, sttSampleRate } from './engines/StreamingStt.js';
export { createSystemVoice, type SystemVoice, type SystemVoiceOptions } from './engines/SystemVoice.js';
export { createWhisperStt, type WhisperStt, type WhisperSttOptions } from './engines/WhisperStt.js';
export { loadSherpaOnnx } from './engines/sherpaOnnx.js';
export {
  defaultVoiceModels,
  type LocatedVoiceModels,
  locatePiperVoice,
  locateSileroVad,
  locateSttModel,
  locateTransducer,
  locateVoiceModels,
  locateWhisper,
  type PiperVoiceFiles,
  requireModelFile,
  resolveVoiceModel,
} from './locateVoiceModels.js';
export { VoiceEngines } from './worker/VoiceEngines.js';
