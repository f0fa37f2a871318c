import { useEffect } from 'react';
import { useAssistant } from '../store';
import { listenBlockedId } from './PushToTalkButton';
import { listenBlocker, readsAloud } from './voiceRules';

/** The voice switches under the composer: hands-free listening and "Read replies aloud". */
export function VoiceControls() {
  const mode = useAssistant((s) => s.voiceMode);
  const setMode = useAssistant((s) => s.setVoiceMode);
  const blocked = useAssistant((s) => listenBlocker(s.voiceState, s.client !== null));
  const canSpeak = useAssistant((s) => s.voiceState?.speak.available ?? false);
  const readAloud = useAssistant((s) => readsAloud(s));
  const setReadAloud = useAssistant((s) => s.setReadAloud);

  useGlobalPushToTalk();

  return (
    <div className="voice-controls">
      {/* The choice stays as made; disabled, with the reason, while listening cannot work. */}
      <label className="voice-toggle" title={blocked ?? 'Listen all the time: speech starts and ends each turn'}>
        <input
          type="checkbox"
          checked={mode === 'handsFree'}
          disabled={blocked !== null}
          aria-describedby={blocked ? listenBlockedId : undefined}
          onChange={(event) => void setMode(event.target.checked ? 'handsFree' : 'pushToTalk')}
        />
        Hands-free
      </label>
      <label className="voice-toggle">
        <input type="checkbox" checked={readAloud} disabled={!canSpeak} onChange={(event) => setReadAloud(event.target.checked)} />
        Read replies aloud
      </label>
    </div>
  );
}

/** The desktop app's global hotkey (main's globalShortcut), and user gestures that let audio play. */
function useGlobalPushToTalk(): void {
  useEffect(() => {
    const unlock = () => useAssistant.getState().unlockAudio();
    window.addEventListener('pointerdown', unlock, true);
    window.addEventListener('keydown', unlock, true);
    const unsubscribe = window.assistantBridge?.onPushToTalk(({ pressed }) => useAssistant.getState().pushToTalk(pressed));
    return () => {
      window.removeEventListener('pointerdown', unlock, true);
      window.removeEventListener('keydown', unlock, true);
      unsubscribe?.();
    };
  }, []);
}
