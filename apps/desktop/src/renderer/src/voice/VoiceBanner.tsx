import { useEffect, useState } from 'react';
import type { VoiceState } from '@assistant/core';
import { CatalogItem } from '../components/CatalogItem';
import { isString, readPreference, writePreference } from '../preferences';
import { useAssistant } from '../store';
import { missingVoiceModel, retryHelps } from './voiceRules';
import './voiceBanner.css';

type MissingKind = 'vad' | 'stt' | 'tts';

const modelNames: Record<MissingKind, string> = { vad: 'voice detector', stt: 'speech-to-text model', tts: 'Piper voice' };
const dismissedKey = 'voiceBannerDismissed';
const installPanelId = 'voice-install';

/** What the banner says; a dismissed banner comes back when this changes. */
const bannerKey = (state: VoiceState) => `${state.tier}|${state.message ?? ''}`;

/**
 * The voice tier in one sentence (from the host: tier and reason) whenever voice is not fully working.
 * When a model that is not installed is the cause, it offers to install it (the model's download, as on
 * the setup screen) instead of a Retry that cannot help; Retry stays where retrying can help (a
 * failure, the microphone). Dismissed, it stays away until what it says changes (remembered across
 * reloads). Polite: a tier change should not interrupt what a screen reader is saying.
 */
export function VoiceBanner() {
  const state = useAssistant((s) => s.voiceState);
  const retry = useAssistant((s) => s.retryVoice);
  const [dismissed, setDismissed] = useState(() => readPreference<string | null>(dismissedKey, null, isString));
  const [installOpen, setInstallOpen] = useState(false);
  const shown = state !== null && state.tier !== 'FULL' && (state.starting || dismissed !== bannerKey(state));
  const missing = state && !state.starting ? missingVoiceModel(state) : null;

  const dismiss = (key: string) => {
    setDismissed(key);
    writePreference(dismissedKey, key);
  };

  // The region stays mounted so assistive tech is already watching it when the tier drops.
  return (
    <div className="voice-banner-region" role="status" aria-live="polite">
      {shown && (
        <div className={`voice-banner voice-banner-${state.starting ? 'starting' : state.tier.toLowerCase().replace('_', '-')}`} data-tier={state.starting ? 'STARTING' : state.tier}>
          <div className="voice-banner-row">
            <p>{state.message ?? 'Voice is limited right now.'}</p>
            {!state.starting && (
              <div className="voice-banner-actions">
                {missing && (
                  <button type="button" className="button button-small" aria-expanded={installOpen} aria-controls={installPanelId} onClick={() => setInstallOpen(!installOpen)}>
                    Install the {modelNames[missing]}
                  </button>
                )}
                {retryHelps(state) && (
                  <button type="button" className="button button-small" onClick={() => void retry()}>
                    Retry
                  </button>
                )}
                <button type="button" className="icon-button" aria-label="Dismiss the voice notice" title="Dismiss (it comes back when voice changes)" onClick={() => dismiss(bannerKey(state))}>
                  <span aria-hidden="true">×</span>
                </button>
              </div>
            )}
          </div>
          {missing && installOpen && <InstallPanel kind={missing} />}
        </div>
      )}
    </div>
  );
}

/** The catalog entry of the missing model, with its Download button and progress; voice retries once it is installed. */
function InstallPanel({ kind }: { kind: MissingKind }) {
  const models = useAssistant((s) => s.models);
  const loadModels = useAssistant((s) => s.loadModels);
  const retry = useAssistant((s) => s.retryVoice);
  const entry = models?.catalog.find((model) => model.kind === kind) ?? null;
  const installed = entry?.installed ?? false;

  useEffect(() => {
    void loadModels();
  }, [loadModels]);

  // Downloaded (here, in another window or from the terminal): load it now rather than at the next probe.
  useEffect(() => {
    if (installed) void retry();
  }, [installed, retry]);

  return (
    <div id={installPanelId} className="voice-install">
      {!models ? (
        <p className="voice-install-note">Looking up the {modelNames[kind]}…</p>
      ) : entry ? (
        <ul className="catalog" aria-label={`The ${modelNames[kind]}`}>
          <CatalogItem model={entry} />
        </ul>
      ) : (
        <p className="voice-install-note">
          The model list names no {modelNames[kind]}. Copy one into <code className="path">{models.modelsDir}</code> or run <code>npm run assistant -- models import &lt;folder&gt;</code>.
        </p>
      )}
    </div>
  );
}
