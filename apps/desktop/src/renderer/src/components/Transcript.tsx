import { useLayoutEffect, useRef, type ReactNode } from 'react';
import { useAssistant } from '../store';
import { MessageView } from './MessageView';

/** How close to the bottom still counts as "at the bottom" (a wheel notch is about 100 px). */
const stickThresholdPx = 48;

/** The scrolling message list. Follows a streaming reply unless the user scrolled up to read. */
export function Transcript({ before }: { before?: ReactNode }) {
  const messages = useAssistant((s) => s.messages);
  const streaming = useAssistant((s) => s.streaming);
  const activeId = useAssistant((s) => s.activeConversationId);
  const loading = useAssistant((s) => s.loadingConversation);
  const scroller = useRef<HTMLDivElement>(null);
  const stick = useRef(true);

  // A newly opened conversation starts at its end.
  useLayoutEffect(() => {
    stick.current = true;
  }, [activeId]);

  useLayoutEffect(() => {
    const element = scroller.current;
    if (element && stick.current) element.scrollTop = element.scrollHeight;
  }, [messages]);

  const onScroll = () => {
    const element = scroller.current;
    if (!element) return;
    stick.current = element.scrollHeight - element.scrollTop - element.clientHeight < stickThresholdPx;
  };

  const liveId = streaming && streaming.conversationId === activeId ? streaming.assistantMessageId : null;
  const empty = messages.length === 0 && !loading;

  return (
    <div className="transcript-scroll" ref={scroller} onScroll={onScroll}>
      {before}
      {empty && (
        <div className="transcript-empty">
          <p className="transcript-empty-title">How can I help?</p>
          <p>Everything runs on this computer: your messages never leave it.</p>
        </div>
      )}
      {/* aria-busy while streaming: screen readers read the finished reply once, not every token. */}
      <div className="transcript" role="log" aria-live="polite" aria-label="Transcript" aria-busy={liveId !== null || loading}>
        {loading && <p className="transcript-loading">Loading conversation…</p>}
        {messages.map((message, index) => (
          <MessageView key={message.id} message={message} live={message.id === liveId} last={index === messages.length - 1} />
        ))}
      </div>
    </div>
  );
}
