import { useAssistant } from '../store';

const engineNames = { piper: 'Piper', system: 'system voice' } as const;

/**
 * The live line above the composer: what the microphone is hearing, whether the assistant is speaking
 * (and with which engine, with a Stop button), and the last voice error.
 */
export function VoiceTranscript() {
  const listening = useAssistant((s) => s.voiceListening);
  const heard = useAssistant((s) => s.voiceHeard);
  const partial = useAssistant((s) => s.voicePartial);
  const canTranscribe = useAssistant((s) => s.voiceState?.listen.available ?? false);
  const speaking = useAssistant((s) => s.voiceSpeaking);
  const spoken = useAssistant((s) => s.voiceSpokenSentences);
  const error = useAssistant((s) => s.voiceError);
  const stopSpeaking = useAssistant((s) => s.stopSpeaking);
  const dismissError = useAssistant((s) => s.dismissVoiceError);

  let line: string | null = null;
  if (partial) line = partial;
  else if (heard && !canTranscribe) line = 'Speech detected — no speech-to-text model is installed';
  else if (heard) line = 'Hearing you…';
  else if (listening) line = 'Listening…';

  return (
    <div className="voice-transcript" data-spoken-sentences={spoken}>
      <p className={`voice-line${partial ? ' voice-line-partial' : ''}`} role="status" aria-live="polite">
        {line && (
          <>
            <span className="voice-mic-dot" aria-hidden="true" />
            {line}
          </>
        )}
      </p>
      {speaking && (
        <div className="voice-speaking">
          <span className="voice-wave" aria-hidden="true">
            <span />
            <span />
            <span />
          </span>
          <span role="status">Speaking ({engineNames[speaking]})</span>
          <button type="button" className="button button-small button-stop" onClick={stopSpeaking}>
            Stop speaking
          </button>
        </div>
      )}
      {error && (
        <div className="voice-error" role="alert">
          <p>{error}</p>
          <button type="button" className="icon-button" aria-label="Dismiss voice error" onClick={dismissError}>
            <span aria-hidden="true">×</span>
          </button>
        </div>
      )}
    </div>
  );
}
