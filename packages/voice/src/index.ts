// @assistant/voice: audio utilities, sentence splitting, turn-taking and the tier rule (environment-free);
// the engines and the voice worker are under ./node.
export { computeVoiceTier } from './common/tiers/computeVoiceTier.js';
export { bytesToBase64, base64ToBytes } from './common/audio/base64.js';
export { type AudioBuffer, audioLevels, floatToInt16, floatToPcm16Base64, fromPcm, int16ToFloat, pcm16Base64ToFloat, toPcm } from './common/audio/pcm.js';
export { Resampler, resample } from './common/audio/Resampler.js';
export { type DecodedWav, decodeWav, encodeWav } from './common/audio/wav.js';
export { SentenceSplitter, splitSentences } from './common/text/SentenceSplitter.js';
export { speakableText } from './common/text/speakableText.js';
export { runVoiceTurn, type VoiceTurnOptions, type VoiceTurnResult, type VoiceTurnTimings } from './common/turn/runVoiceTurn.js';
