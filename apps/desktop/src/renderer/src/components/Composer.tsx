import { maxMessageChars } from '@assistant/core';
import { useEffect, useRef, useState, type FormEvent, type KeyboardEvent } from 'react';
import { useAssistant } from '../store';
import { PushToTalkButton } from '../voice/PushToTalkButton';
import { VoiceControls } from '../voice/VoiceControls';
import { VoiceTranscript } from '../voice/VoiceTranscript';

/** The message box: Enter sends, Shift+Enter adds a line, Escape stops a streaming reply. */
export function Composer() {
  const send = useAssistant((s) => s.send);
  const stop = useAssistant((s) => s.stop);
  const streaming = useAssistant((s) => s.streaming !== null);
  const connected = useAssistant((s) => s.client !== null);
  const focusRequest = useAssistant((s) => s.composerFocus);
  const [text, setText] = useState('');
  const textarea = useRef<HTMLTextAreaElement>(null);
  const length = text.trim().length;
  // Refused here, with the reason, rather than sent and refused by the host (or, over 4 MiB, the connection).
  const tooLong = length > maxMessageChars;
  const canSend = connected && !streaming && length > 0 && !tooLong;

  useEffect(() => {
    if (focusRequest > 0) textarea.current?.focus();
  }, [focusRequest]);

  // Grow with the text up to a limit (CSS max-height), then scroll inside.
  useEffect(() => {
    const element = textarea.current;
    if (!element) return;
    element.style.height = 'auto';
    element.style.height = `${element.scrollHeight}px`;
  }, [text]);

  const submit = () => {
    if (!canSend) return;
    setText('');
    void send(text);
  };

  const onSubmit = (event: FormEvent) => {
    event.preventDefault();
    submit();
  };

  const onKeyDown = (event: KeyboardEvent<HTMLTextAreaElement>) => {
    // isComposing: Enter that confirms an IME candidate (Japanese, Chinese…) must not send.
    if (event.key === 'Enter' && !event.shiftKey && !event.nativeEvent.isComposing) {
      event.preventDefault();
      submit();
    } else if (event.key === 'Escape' && streaming) {
      event.preventDefault();
      stop();
    }
  };

  return (
    <form className="composer" onSubmit={onSubmit}>
      <VoiceTranscript />
      {tooLong ? (
        <p className="composer-error" id="composer-error" role="alert">
          This message is {length.toLocaleString('en-US')} characters long; a message can hold {maxMessageChars.toLocaleString('en-US')}. Shorten it, or save the text as a file and add it
          as a document to ask about it.
        </p>
      ) : null}
      <div className="composer-box">
        <textarea
          ref={textarea}
          className="composer-input"
          aria-label="Message"
          aria-invalid={tooLong || undefined}
          aria-describedby={tooLong ? 'composer-error' : undefined}
          placeholder={connected ? 'Message the assistant…' : 'Waiting for the assistant…'}
          rows={1}
          value={text}
          onChange={(event) => setText(event.target.value)}
          onKeyDown={onKeyDown}
          autoFocus
        />
        <PushToTalkButton />
        {streaming ? (
          <button type="button" className="button button-stop" onClick={() => {
              stop();
              // The Stop button disappears with the stream; keep focus where typing happens.
              textarea.current?.focus();
            }}
            aria-keyshortcuts="Escape">
            Stop
          </button>
        ) : null}
        <button type="submit" className="button button-primary" disabled={!canSend}>
          Send
        </button>
      </div>
      <div className="composer-footer">
        <VoiceControls />
        <p className="composer-hint" aria-hidden="true">
          Enter to send · Shift+Enter for a new line{streaming ? ' · Esc to stop' : ''}
        </p>
      </div>
    </form>
  );
}
