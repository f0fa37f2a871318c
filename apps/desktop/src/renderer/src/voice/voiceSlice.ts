import { ErrorCode, toErrorPayload, type ListenEvent, type MicrophoneStatus, type Settings, type VoiceState, type VoiceTurnStages } from '@assistant/core';
import type { StoreApi } from 'zustand';
import type { AssistantState } from '../store';
import { ListenSession } from './ListenSession';
import { MicrophoneError } from './MicrophoneCapture';
import { PlaybackQueue } from './PlaybackQueue';
import { ReplySpeaker, type SpeechEngine } from './ReplySpeaker';
import { bargeInActive as isBargeInActive, listenBlocker, microphoneMuted, probeMicrophone, readsAloud, saveReadAloud, storedReadAloud } from './voiceRules';

export type VoiceMode = Settings['voiceMode'];

/** What the store's send() feeds with the streaming reply, when the reply is to be spoken. */
export interface SpokenReply {
  push(text: string): void;
  /** The stream finished; a cancelled one falls silent at once, a failed one still says what arrived. */
  end(cancelled: boolean): void;
}

/** Voice: the host's tier, the microphone turn (push-to-talk or hands-free), and speaking replies. */
export interface VoiceSlice {
  voiceState: VoiceState | null;
  voiceMode: VoiceMode;
  /** The microphone is open and its audio goes to the host. */
  voiceListening: boolean;
  /** The host heard speech in the current turn (VAD), even if it cannot transcribe it. */
  voiceHeard: boolean;
  voicePartial: string;
  /** The engine of the reply being spoken, or null when silent. */
  voiceSpeaking: SpeechEngine | null;
  /** Sentences played to the end since the page loaded (tests assert speech happened). */
  voiceSpokenSentences: number;
  voiceError: string | null;
  /** The user's "Read replies aloud" choice; null: the default (on when the tier promises spoken replies to typing). */
  voiceReadAloud: boolean | null;
  /** Hands-free, with the microphone paused by its button (a cough, a call) until pressed again. */
  voiceHandsFreePaused: boolean;

  loadVoice(): Promise<void>;
  onVoiceChanged(state: VoiceState): void;
  retryVoice(): Promise<void>;
  setVoiceMode(mode: VoiceMode): Promise<void>;
  setReadAloud(on: boolean): void;
  /** The microphone button in hands-free mode: stop listening for now, or listen again. */
  setHandsFreePaused(paused: boolean): void;
  /** Push-to-talk pressed or released (button, keys, or the global hotkey's toggle). */
  pushToTalk(pressed: boolean): void;
  /** Silences the reply and cancels its stream (the speaking indicator's Stop, barge-in). */
  stopSpeaking(): void;
  dismissVoiceError(): void;
  /** Called by send() when a reply starts: a sink for its text, or null when it is not to be spoken. */
  startVoiceReply(): SpokenReply | null;
  /** A user gesture: lets audio play under Chromium's autoplay policy. */
  unlockAudio(): void;
}

type SetState = StoreApi<AssistantState>['setState'];
type GetState = StoreApi<AssistantState>['getState'];
type Subscribe = StoreApi<AssistantState>['subscribe'];

export function createVoiceSlice(set: SetState, get: GetState, subscribe: Subscribe): VoiceSlice {
  let session: ListenSession | null = null;
  let opening: Promise<ListenSession | null> | null = null;
  let speaker: ReplySpeaker | null = null;
  let bargeIn: Settings['bargeIn'] = 'auto';
  let pttHeld = false;
  /** Set by a voice turn just before send(), read by startVoiceReply() inside it. */
  let turnByVoice = false;
  /** With turnByVoice: when the user's speech ended (performance.now()), to time the reply's first audio from. */
  let turnEndedAt: number | null = null;

  const playback = new PlaybackQueue({
    onPlayed: () => set((s) => ({ voiceSpokenSentences: s.voiceSpokenSentences + 1 })),
    onIdle: () => {
      if (!speaker?.busy) set({ voiceSpeaking: null });
    },
  });

  const speaking = () => playback.pending > 0 || get().voiceSpeaking !== null;
  const bargeInActive = () => isBargeInActive(bargeIn, session?.echoCancellation ?? false);

  async function reportMicrophone(status: MicrophoneStatus, detail?: string): Promise<void> {
    const client = get().client;
    if (!client || get().voiceState?.microphone === status) return;
    try {
      const state = await client.call('voice.microphone', detail ? { status, detail: detail.slice(0, 500) } : { status });
      set({ voiceState: state });
    } catch (error) {
      get().reportError(error);
    }
  }

  /** Settings → Diagnostics: a spoken turn's stage, as soon as it is known (only the renderer hears the first audio). */
  function reportStage(stages: VoiceTurnStages): void {
    // A host that cannot take it (an older one, a closed connection) loses a figure, never the turn.
    void get().client?.call('diagnostics.voiceTurn', stages).catch(() => {});
  }

  function sendByVoice(text: string, endedAt: number): void {
    const trySend = () => {
      if (get().streaming) return false;
      turnByVoice = true;
      turnEndedAt = endedAt;
      void get().send(text);
      turnByVoice = false;
      turnEndedAt = null;
      return true;
    };
    if (trySend()) return;
    // A reply is still streaming (being cancelled by barge-in, or the user spoke over it): send after it.
    const unsubscribe = subscribe(() => {
      if (!get().streaming && trySend()) unsubscribe();
    });
  }

  function onEvents(events: ListenEvent[], sentAt: number): void {
    for (const event of events) {
      if (event.type === 'speechStart') {
        set({ voiceHeard: true, voicePartial: '' });
        if (speaking() && bargeInActive()) get().stopSpeaking();
      } else if (event.type === 'partial') {
        set({ voicePartial: event.text });
      } else {
        const text = event.text.trim();
        // With no STT the final is empty: keep "speech detected" on screen, it is the only feedback.
        if (text) {
          set({ voiceHeard: false, voicePartial: '' });
          reportStage({ finalTranscriptMs: performance.now() - sentAt, firstAudioMs: null });
          sendByVoice(text, sentAt);
        }
      }
    }
  }

  function ended(closing: ListenSession): void {
    if (session === closing) session = null;
    if (!session) set({ voiceListening: false });
  }

  async function openSession(): Promise<ListenSession | null> {
    const client = get().client;
    if (!client) return null;
    set({ voiceError: null, voiceHeard: false, voicePartial: '' });
    try {
      const opened: ListenSession = await ListenSession.open({
        client,
        onEvents,
        onError: (error) => {
          ended(opened);
          const { code, message } = toErrorPayload(error);
          if (code !== ErrorCode.TransportClosed) set({ voiceError: message });
        },
        onLost: () => {
          ended(opened);
          void reportMicrophone('lost', 'the microphone was disconnected');
        },
        muted: () => microphoneMuted(speaking(), bargeIn, session?.echoCancellation ?? false),
      });
      session = opened;
      set({ voiceListening: true });
      void reportMicrophone('ok');
      return opened;
    } catch (error) {
      if (error instanceof MicrophoneError) await reportMicrophone(error.status, error.message);
      else set({ voiceError: toErrorPayload(error).message });
      return null;
    }
  }

  /** Listening can work now (a speech-to-text model is loaded, the engines are up). */
  const canListen = () => listenBlocker(get().voiceState, get().client !== null) === null;

  async function startHandsFree(): Promise<void> {
    if (session || opening || get().voiceHandsFreePaused || !canListen()) return;
    opening = openSession();
    await opening;
    opening = null;
  }

  function stopListening(): void {
    void session?.end(true);
    session = null;
    set({ voiceListening: false, voiceHeard: false, voicePartial: '' });
  }

  async function loadSettings(): Promise<void> {
    const client = get().client;
    if (!client) return;
    const settings = await client.call('settings.get', {});
    bargeIn = settings.bargeIn;
    set({ voiceMode: settings.voiceMode });
  }

  return {
    voiceState: null,
    voiceMode: 'pushToTalk',
    voiceListening: false,
    voiceHeard: false,
    voicePartial: '',
    voiceSpeaking: null,
    voiceSpokenSentences: 0,
    voiceError: null,
    voiceReadAloud: storedReadAloud(),
    voiceHandsFreePaused: false,

    async loadVoice() {
      const client = get().client;
      if (!client) return;
      try {
        const [state] = await Promise.all([client.call('voice.getState', {}), loadSettings()]);
        set({ voiceState: state });
      } catch (error) {
        get().reportError(error);
        return;
      }
      const known = await probeMicrophone();
      if (known) await reportMicrophone(known.status, known.detail);
      if (get().voiceMode === 'handsFree') await startHandsFree();
    },

    onVoiceChanged(state) {
      set({ voiceState: state });
      // Hands-free follows what the engines can do: it starts once listening works, and stops if it no longer can.
      if (get().voiceMode !== 'handsFree') return;
      if (canListen()) void startHandsFree();
      else if (session) stopListening();
    },

    async retryVoice() {
      const client = get().client;
      if (!client) return;
      try {
        set({ voiceState: await client.call('voice.retry', {}), voiceError: null });
        // A denied or missing microphone may be back: the next use asks again.
        if (get().voiceMode === 'handsFree') await startHandsFree();
      } catch (error) {
        get().reportError(error);
      }
    },

    async setVoiceMode(mode) {
      set({ voiceMode: mode, voiceHandsFreePaused: false });
      if (mode === 'handsFree') void startHandsFree();
      else stopListening();
      const client = get().client;
      if (!client) return;
      try {
        // Barge-in may have changed in settings meanwhile; the mode is saved for the next start.
        bargeIn = (await client.call('settings.update', { voiceMode: mode })).bargeIn;
      } catch (error) {
        get().reportError(error);
      }
    },

    setHandsFreePaused(paused) {
      set({ voiceHandsFreePaused: paused });
      if (paused) stopListening();
      else void startHandsFree();
    },

    setReadAloud(on) {
      set({ voiceReadAloud: on });
      saveReadAloud(on);
      if (!on) playback.stop();
    },

    pushToTalk(pressed) {
      if (get().voiceMode === 'handsFree') {
        // Hands-free listens anyway; the key still interrupts the assistant.
        if (pressed && speaking()) get().stopSpeaking();
        return;
      }
      if (pressed === pttHeld) return;
      pttHeld = pressed;
      if (pressed) {
        // Talking over the assistant is an explicit interruption.
        if (speaking()) get().stopSpeaking();
        // The global hotkey works even where the button is disabled: it only interrupts then.
        if (!canListen()) return;
        void loadSettings().catch(() => {});
        // A press while the previous press's microphone is still opening reuses that one.
        if (opening) return;
        opening = openSession().then((opened) => {
          opening = null;
          if (opened && !pttHeld) void opened.end().finally(() => ended(opened));
          return opened;
        });
        return;
      }
      const releasing = session;
      set({ voiceListening: false });
      if (releasing) void releasing.end().finally(() => ended(releasing));
    },

    stopSpeaking() {
      speaker?.cancel();
      speaker = null;
      playback.stop();
      set({ voiceSpeaking: null });
      if (get().streaming) get().stop();
    },

    dismissVoiceError() {
      set({ voiceError: null });
    },

    startVoiceReply() {
      const byVoice = turnByVoice;
      let endedAt = byVoice ? turnEndedAt : null;
      turnByVoice = false;
      // A new reply supersedes whatever is still being said.
      speaker?.cancel();
      playback.stop();
      const s = get();
      const canSpeak = s.voiceState?.speak.available === true && (s.voiceState.tier === 'FULL' || s.voiceState.tier === 'TTS_ONLY');
      if (!canSpeak || !(byVoice || readsAloud(s))) {
        speaker = null;
        return null;
      }
      const client = s.client;
      const current = new ReplySpeaker({
        synthesize: async (text) => {
          if (!client) throw new Error('Not connected to the assistant.');
          return client.call('voice.speak', { text });
        },
        playback,
        onSpeaking: (engine) => {
          set({ voiceSpeaking: engine });
          if (endedAt === null) return;
          reportStage({ finalTranscriptMs: null, firstAudioMs: performance.now() - endedAt });
          endedAt = null;
        },
        onError: (error) => {
          const { code, message } = toErrorPayload(error);
          if (code !== ErrorCode.TransportClosed) set({ voiceError: message });
        },
        onDrained: () => {
          if (speaker === current && playback.pending === 0) set({ voiceSpeaking: null });
        },
      });
      speaker = current;
      return {
        push: (text) => current.push(text),
        end: (cancelled) => {
          if (!cancelled) return current.end();
          current.cancel();
          if (speaker === current) get().stopSpeaking();
        },
      };
    },

    unlockAudio() {
      // Only when speech can happen: an AudioContext holds the audio device open.
      if (get().voiceState?.speak.available) playback.unlock();
    },
  };
}
