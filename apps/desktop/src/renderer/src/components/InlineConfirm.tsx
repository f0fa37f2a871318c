import { useEffect, useRef, useState, type KeyboardEvent } from 'react';
import './inlineConfirm.css';

/**
 * The one way to confirm something that cannot be undone (deleting a conversation, removing a document):
 * the row's own buttons give way to a question with the action and Keep. No browser confirm(): it
 * blocks the page, cannot be styled, and Electron shows it with the app's name as its title.
 */
export function useInlineConfirm() {
  const [confirming, setConfirming] = useState(false);
  /** The button that asked: focus returns to it on Keep or Escape, so the keyboard user is where they were. */
  const trigger = useRef<HTMLButtonElement>(null);
  const returnFocus = useRef(false);

  useEffect(() => {
    if (!confirming && returnFocus.current) {
      returnFocus.current = false;
      trigger.current?.focus();
    }
  }, [confirming]);

  return {
    confirming,
    trigger,
    ask: () => setConfirming(true),
    keep: () => {
      returnFocus.current = true;
      setConfirming(false);
    },
  };
}

interface Props {
  /** The group's accessible name: "Delete “Trip plans”?" */
  label: string;
  question: string;
  /** The confirming button's text: "Delete", "Remove". */
  action: string;
  onConfirm(): void;
  onKeep(): void;
}

/** The question and its two buttons; the action takes focus, Escape keeps. */
export function InlineConfirm({ label, question, action, onConfirm, onKeep }: Props) {
  const confirmButton = useRef<HTMLButtonElement>(null);
  useEffect(() => confirmButton.current?.focus(), []);
  const onKeyDown = (event: KeyboardEvent) => {
    if (event.key !== 'Escape') return;
    // Handled here: the window-level Escape (stop the reply) must not also fire.
    event.preventDefault();
    event.stopPropagation();
    onKeep();
  };
  return (
    <div className="inline-confirm" role="group" aria-label={label} onKeyDown={onKeyDown}>
      <span className="inline-confirm-question">{question}</span>
      <button ref={confirmButton} type="button" className="button button-small button-danger" onClick={onConfirm}>
        {action}
      </button>
      <button type="button" className="button button-small" onClick={onKeep}>
        Keep
      </button>
    </div>
  );
}
