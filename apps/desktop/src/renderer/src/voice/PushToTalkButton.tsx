import { useEffect, useRef, type KeyboardEvent, type MouseEvent, type PointerEvent } from 'react';
import { useAssistant } from '../store';
import { listenBlocker } from './voiceRules';

/** The one description of why listening is off, for this button and the Hands-free switch. */
export const listenBlockedId = 'listen-blocked';

/**
 * The microphone button. Push to talk: hold it (mouse or touch held down, or Space/Enter held while it has
 * focus); releasing ends the turn (voice.listenEnd). Losing focus or the pointer mid-press also releases,
 * so it never sticks. Hands-free, where speech itself starts and ends turns, it is the microphone's switch:
 * lit while listening, pressed to pause, pressed again to listen. Disabled, with the reason, when listening
 * cannot work.
 */
export function PushToTalkButton() {
  const handsFree = useAssistant((s) => s.voiceMode === 'handsFree');
  const blocked = useAssistant((s) => listenBlocker(s.voiceState, s.client !== null));
  const disabled = blocked !== null;
  const listening = useAssistant((s) => s.voiceListening);
  const paused = useAssistant((s) => s.voiceHandsFreePaused);
  const setPaused = useAssistant((s) => s.setHandsFreePaused);
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

  // Unmounted or switched to hands-free mid-press: end the turn instead of leaving the mic open.
  useEffect(() => {
    if (handsFree && held.current) {
      held.current = false;
      useAssistant.getState().pushToTalk(false);
    }
  }, [handsFree]);
  useEffect(() => () => {
    if (held.current) useAssistant.getState().pushToTalk(false);
  }, []);

  const isTalkKey = (event: KeyboardEvent) => event.key === ' ' || event.key === 'Enter';
  const holdHandlers = handsFree
    ? { onClick: () => setPaused(!paused) }
    : {
        onPointerDown: (event: PointerEvent<HTMLButtonElement>) => {
          if (event.button !== 0) return;
          event.currentTarget.setPointerCapture(event.pointerId);
          press();
        },
        onPointerUp: release,
        onPointerCancel: release,
        onLostPointerCapture: release,
        onKeyDown: (event: KeyboardEvent) => {
          if (!isTalkKey(event)) return;
          // The button's own click on Space/Enter would be a second, instant turn.
          event.preventDefault();
          if (!event.repeat) press();
        },
        onKeyUp: (event: KeyboardEvent) => {
          if (!isTalkKey(event)) return;
          event.preventDefault();
          release();
        },
        onBlur: release,
        onContextMenu: (event: MouseEvent) => event.preventDefault(),
      };
  const hint = handsFree ? (paused ? 'Paused: press to listen again' : 'Listening hands-free: press to pause') : 'Hold to talk (Space or Enter while focused)';

  return (
    <>
      {blocked && (
        <span id={listenBlockedId} className="visually-hidden">
          {blocked}
        </span>
      )}
      <button
        type="button"
        className={`button mic-button${listening ? ' mic-button-live' : ''}`}
        aria-label={handsFree ? 'Hands-free microphone' : 'Push to talk'}
        aria-pressed={handsFree ? !paused && !disabled : listening}
        aria-describedby={blocked ? listenBlockedId : undefined}
        title={blocked ?? hint}
        disabled={disabled}
        {...holdHandlers}
      >
        <MicrophoneIcon muted={handsFree && paused} />
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
