import type { MicrophoneStatus, Settings, VoiceState } from '@assistant/core';
import { isBoolean, readPreference, writePreference } from '../preferences';

/** Small voice decisions shared by the slice and the components. */

/** JSON booleans, as the earlier plain "true"/"false" strings were: the stored choice reads the same. */
const readAloudKey = 'readRepliesAloud';

/** "Read replies aloud": the user's choice, else on where the tier promises spoken replies to typing. */
export function readsAloud(s: { voiceReadAloud: boolean | null; voiceState: VoiceState | null }): boolean {
  return s.voiceReadAloud ?? s.voiceState?.tier === 'TTS_ONLY';
}

/**
 * Why the microphone controls (push-to-talk, Hands-free) cannot be used now, as a sentence for their
 * tooltip and description; null when they can. Without a speech-to-text model a turn would hear speech and
 * never understand it, so they are off then too, in step with the banner. A microphone problem is not a
 * reason: pressing again is how the user tries the microphone again.
 */
export function listenBlocker(state: VoiceState | null, connected: boolean): string | null {
  if (!connected) return 'Not connected to the assistant.';
  if (!state || state.starting) return 'Voice is starting…';
  if (state.worker.status === 'unavailable') return 'Voice is not part of this build.';
  if (!state.listen.available) return sentence(state.listen.reason ?? 'speech recognition is unavailable');
  return null;
}

/** The kind of model whose absence the banner is about, if installing one is what would help. */
export function missingVoiceModel(state: VoiceState): 'vad' | 'stt' | 'tts' | null {
  return (!state.listen.available ? state.listen.missingModel : undefined) ?? (!state.speak.available ? state.speak.missingModel : undefined) ?? null;
}

/** Whether Retry can help: something failed, or the microphone is missing or blocked (not only a model not installed). */
export function retryHelps(state: VoiceState): boolean {
  const microphone = state.microphone === 'absent' || state.microphone === 'denied' || state.microphone === 'lost';
  return microphone || (!state.listen.available && !state.listen.missingModel) || (!state.speak.available && !state.speak.missingModel);
}

/** "no speech-to-text model is installed" -> "No speech-to-text model is installed." */
function sentence(clause: string): string {
  const text = clause.charAt(0).toUpperCase() + clause.slice(1);
  return /[.!?…]$/.test(text) ? text : `${text}.`;
}

export function storedReadAloud(): boolean | null {
  return readPreference<boolean | null>(readAloudKey, null, isBoolean);
}

export function saveReadAloud(on: boolean): void {
  writePreference(readAloudKey, on);
}

/** Whether the microphone is already known to be blocked or missing, found without prompting for it. */
export async function probeMicrophone(): Promise<{ status: MicrophoneStatus; detail: string } | null> {
  try {
    const permission = await navigator.permissions?.query({ name: 'microphone' as PermissionName });
    if (permission?.state === 'denied') return { status: 'denied', detail: 'microphone permission is blocked' };
    const devices = await navigator.mediaDevices?.enumerateDevices();
    if (devices && !devices.some((device) => device.kind === 'audioinput')) return { status: 'absent', detail: 'no audio input device' };
  } catch {
    // Not answerable here: the first use of the mic will tell.
  }
  return null;
}

/**
 * Whether talking over the assistant interrupts it. Without echo cancellation the microphone would hear the
 * assistant's own voice and interrupt it at once, so then only an explicit 'on' allows it.
 */
export function bargeInActive(bargeIn: Settings['bargeIn'], echoCancellation: boolean): boolean {
  return bargeIn === 'on' || (bargeIn === 'auto' && echoCancellation);
}

/** While the assistant speaks, the microphone is muted unless barge-in is active (it must not hear itself). */
export function microphoneMuted(speaking: boolean, bargeIn: Settings['bargeIn'], echoCancellation: boolean): boolean {
  return speaking && !bargeInActive(bargeIn, echoCancellation);
}
