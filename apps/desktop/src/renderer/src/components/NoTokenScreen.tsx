import { RefusedTokenText } from './ConnectionBanner';

/** Browser mode without a usable access token: nothing can connect, so say where the right link comes from. */
export function NoTokenScreen({ refused = false }: { refused?: boolean }) {
  return (
    <main className="no-token">
      <div className="no-token-card" role={refused ? 'alert' : undefined}>
        <h1>{refused ? 'This link no longer works' : 'Open the assistant from its link'}</h1>
        {refused ? (
          <RefusedTokenText />
        ) : (
          <p>
            Open the link printed by <code>npm start</code> / <code>npm run assistant -- serve</code> (it carries an access token).
          </p>
        )}
        <p className="status-muted">The token keeps other programs and web pages on this computer from using your assistant.</p>
      </div>
    </main>
  );
}
