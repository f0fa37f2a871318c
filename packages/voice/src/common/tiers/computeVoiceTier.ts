import type { MicrophoneStatus, VoiceCapability, VoiceTier } from '@assistant/core';

const microphoneProblems: Partial<Record<MicrophoneStatus, string>> = {
  absent: 'no microphone was found',
  denied: 'microphone access was denied',
  lost: 'the microphone was disconnected',
};

/**
 * DESIGN.md's four tiers from the two capabilities and the microphone. A tier changes only when a whole
 * capability is gone: the system voice standing in for Piper is still "speaks". An unknown microphone
 * (not asked yet) counts as usable, so the app does not announce a problem it has not seen.
 */
export function computeVoiceTier(listen: VoiceCapability, speak: VoiceCapability, microphone: MicrophoneStatus): { tier: VoiceTier; message: string | null } {
  const micProblem = microphoneProblems[microphone] ?? null;
  const listens = listen.available && micProblem === null;
  const speaks = speak.available;
  const listenReason = micProblem ?? listen.reason ?? 'speech recognition is unavailable';
  const speakReason = speak.reason ?? 'speech synthesis is unavailable';
  if (listens && speaks) return { tier: 'FULL', message: null };
  if (listens) return { tier: 'STT_ONLY', message: `Replies are shown as text: the voice is unavailable (${speakReason}).` };
  if (speaks) return { tier: 'TTS_ONLY', message: `Type your message; replies are still spoken (${listenReason}).` };
  return { tier: 'TEXT_ONLY', message: `Voice is off: ${listenReason}, and ${speakReason}.` };
}
