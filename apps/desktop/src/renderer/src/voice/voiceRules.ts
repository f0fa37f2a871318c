import type { MicrophoneStatus, VoiceState } from '@assistant/core';

/** Small voice decisions shared by the slice and the components. */

const readAloudKey = 'assistant.readRepliesAloud';

/** "Read replies aloud": the user's choice, else on where the tier promises spoken replies to typing. */
export function readsAloud(s: { voiceReadAloud: boolean | null; voiceState: VoiceState | null }): boolean {
  return s.voiceReadAloud ?? s.voiceState?.tier === 'TTS_ONLY';
}

/** Listening cannot work at all (no voice worker in this build): the mic controls are disabled. */
export function voiceUnavailable(state: VoiceState | null): boolean {
  return !state || state.worker.status === 'unavailable';
}

export function storedReadAloud(): boolean | null {
  try {
    const value = localStorage.getItem(readAloudKey);
    return value === null ? null : value === 'true';
  } catch {
    return null;
  }
}

export function saveReadAloud(on: boolean): void {
  try {
    localStorage.setItem(readAloudKey, String(on));
  } catch {
    // Storage disabled: the choice lasts this session.
  }
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
