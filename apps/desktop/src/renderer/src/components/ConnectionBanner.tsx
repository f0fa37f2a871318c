import { reconnectNow } from '../connection';
import { useAssistant } from '../store';

/**
 * Shown while the WebSocket to the host is down; reconnecting also retries by itself with backoff. A
 * refused token is said plainly and not retried: only the new link can connect.
 */
export function ConnectionBanner() {
  const connection = useAssistant((s) => s.connection);
  if (connection === 'refused') {
    return (
      <div className="connection-banner" role="alert">
        <RefusedTokenText />
      </div>
    );
  }
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

/** What happened to the token and what to do. */
export function RefusedTokenText() {
  return (
    <p>
      The assistant no longer accepts this page&apos;s access token: it was restarted (every start makes a new link), or this link is old. Open the link it
      printed in its terminal (<code>npm start</code> / <code>npm run assistant -- serve</code>).
    </p>
  );
}
