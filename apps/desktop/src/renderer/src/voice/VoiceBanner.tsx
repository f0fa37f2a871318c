import { useAssistant } from '../store';

/**
 * The voice tier in one sentence (from the host: tier and reason) whenever voice is not fully working,
 * with Retry. Polite: a tier change should not interrupt what a screen reader is saying.
 */
export function VoiceBanner() {
  const state = useAssistant((s) => s.voiceState);
  const retry = useAssistant((s) => s.retryVoice);
  // The region stays mounted so assistive tech is already watching it when the tier drops.
  return (
    <div className="voice-banner-region" role="status" aria-live="polite">
      {state && state.tier !== 'FULL' && (
        <div className={`voice-banner voice-banner-${state.starting ? 'starting' : state.tier.toLowerCase().replace('_', '-')}`} data-tier={state.starting ? 'STARTING' : state.tier}>
          <p>{state.message ?? 'Voice is limited right now.'}</p>
          {!state.starting && (
            <button type="button" className="button button-small" onClick={() => void retry()}>
              Retry
            </button>
          )}
        </div>
      )}
    </div>
  );
}
