import { reconnectNow } from '../connection';
import { useAssistant } from '../store';

/** Shown while the WebSocket to the host is down; reconnecting also retries by itself with backoff. */
export function ConnectionBanner() {
  const connection = useAssistant((s) => s.connection);
  if (connection !== 'disconnected') return null;
  return (
    <div className="connection-banner" role="alert">
      <p>Disconnected from the assistant. Retrying automatically…</p>
      <button type="button" className="button" onClick={reconnectNow}>
        Reconnect
      </button>
    </div>
  );
}
