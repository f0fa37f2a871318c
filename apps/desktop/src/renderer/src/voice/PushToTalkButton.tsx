import { useEffect, useRef, type KeyboardEvent, type ReactNode } from 'react';
import { useAssistant } from '../store';
import { listenBlocker } from './voiceRules';

const blockedId = 'microphone-blocked';

/**
 * Hold to talk: mouse or touch held down, or Space/Enter held while the button has focus. Releasing ends
 * the turn (voice.listenEnd). Losing focus or the pointer mid-press also releases, so it never sticks.
 * In hands-free mode, where speech itself starts and ends turns, it stays as the microphone's switch:
 * lit while listening, pressed to pause. Disabled, with the reason, when listening cannot work.
 */
export function PushToTalkButton() {
  const handsFree = useAssistant((s) => s.voiceMode === 'handsFree');
  const blocked = useAssistant((s) => listenBlocker(s.voiceState, s.client !== null));
  const disabled = blocked !== null;
  const listening = useAssistant((s) => s.voiceListening);
  const pushToTalk = useAssistant((s) => s.pushToTalk);
  const held = useRef(false);

  const press = () => {
    if (held.current || disabled) return;
    held.current = true;
    pushToTalk(true);
  };
  const release = () => {
    if (!held.current) return;
    held.current = false;
    pushToTalk(false);
  };

  // Unmounted mid-press (mode switched): end the turn instead of leaving the mic open.
  useEffect(() => () => {
    if (held.current) useAssistant.getState().pushToTalk(false);
  }, []);

  const isTalkKey = (event: KeyboardEvent) => event.key === ' ' || event.key === 'Enter';
  const reason = blocked && (
    <span id={blockedId} className="visually-hidden">
      {blocked}
    </span>
  );
  if (handsFree) return <HandsFreeMicrophone blocked={blocked}>{reason}</HandsFreeMicrophone>;

  return (
    <>
      {reason}
      <button
        type="button"
        className={`button mic-button${listening ? ' mic-button-live' : ''}`}
        aria-label="Push to talk"
        aria-pressed={listening}
        aria-describedby={blocked ? blockedId : undefined}
        title={blocked ?? 'Hold to talk (Space or Enter while focused)'}
        disabled={disabled}
        onPointerDown={(event) => {
          if (event.button !== 0) return;
          event.currentTarget.setPointerCapture(event.pointerId);
          press();
        }}
        onPointerUp={release}
        onPointerCancel={release}
        onLostPointerCapture={release}
        onKeyDown={(event) => {
          if (!isTalkKey(event)) return;
          // The button's own click on Space/Enter would be a second, instant turn.
          event.preventDefault();
          if (!event.repeat) press();
        }}
        onKeyUp={(event) => {
          if (!isTalkKey(event)) return;
          event.preventDefault();
          release();
        }}
        onBlur={release}
        onContextMenu={(event) => event.preventDefault()}
      >
        <MicrophoneIcon />
      </button>
    </>
  );
}

/** Hands-free: lit while the microphone listens; pressing pauses it, pressing again listens again. */
function HandsFreeMicrophone({ blocked, children }: { blocked: string | null; children: ReactNode }) {
  const listening = useAssistant((s) => s.voiceListening);
  const paused = useAssistant((s) => s.voiceHandsFreePaused);
  const setPaused = useAssistant((s) => s.setHandsFreePaused);
  return (
    <>
      {children}
      <button
        type="button"
        className={`button mic-button${listening ? ' mic-button-live' : ''}`}
        aria-label="Hands-free microphone"
        aria-pressed={!paused && blocked === null}
        aria-describedby={blocked ? blockedId : undefined}
        title={blocked ?? (paused ? 'Paused: press to listen again' : 'Listening hands-free: press to pause')}
        disabled={blocked !== null}
        onClick={() => setPaused(!paused)}
      >
        <MicrophoneIcon muted={paused} />
      </button>
    </>
  );
}

function MicrophoneIcon({ muted = false }: { muted?: boolean }) {
  return (
    <svg aria-hidden="true" viewBox="0 0 16 16" width="16" height="16">
      <rect x="5.5" y="1.5" width="5" height="8.5" rx="2.5" fill="none" stroke="currentColor" strokeWidth="1.3" />
      <path d="M3 7.5a5 5 0 0 0 10 0M8 12.5V15" fill="none" stroke="currentColor" strokeWidth="1.3" strokeLinecap="round" />
      {muted && <path d="M2.5 2.5l11 11" fill="none" stroke="currentColor" strokeWidth="1.4" strokeLinecap="round" />}
    </svg>
  );
}
