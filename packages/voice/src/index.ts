// @assistant/voice: audio utilities, VAD, STT, TTS engines, turn-taking, the tier manager, voice worker.
// The voice issue fills this package; the walking skeleton only lays it out.
export const voicePackage = '@assistant/voice';
