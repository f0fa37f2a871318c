import { useEffect, useRef, type KeyboardEvent } from 'react';
import { useAssistant } from '../store';
import { voiceUnavailable } from './voiceRules';

/**
 * Hold to talk: mouse or touch held down, or Space/Enter held while the button has focus. Releasing ends
 * the turn (voice.listenEnd). Losing focus or the pointer mid-press also releases, so it never sticks.
 * Hidden in hands-free mode, where speech itself starts and ends turns.
 */
export function PushToTalkButton() {
  const handsFree = useAssistant((s) => s.voiceMode === 'handsFree');
  const disabled = useAssistant((s) => voiceUnavailable(s.voiceState) || s.client === null);
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
  if (handsFree) return null;

  return (
    <button
      type="button"
      className={`button mic-button${listening ? ' mic-button-live' : ''}`}
      aria-label="Push to talk"
      aria-pressed={listening}
      title="Hold to talk (Space or Enter while focused)"
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
      <svg aria-hidden="true" viewBox="0 0 16 16" width="16" height="16">
        <rect x="5.5" y="1.5" width="5" height="8.5" rx="2.5" fill="none" stroke="currentColor" strokeWidth="1.3" />
        <path d="M3 7.5a5 5 0 0 0 10 0M8 12.5V15" fill="none" stroke="currentColor" strokeWidth="1.3" strokeLinecap="round" />
      </svg>
    </button>
  );
}
