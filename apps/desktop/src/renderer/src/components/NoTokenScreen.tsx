/** Browser mode without an access token: nothing can connect, so say where the right link comes from. */
export function NoTokenScreen() {
  return (
    <main className="no-token">
      <div className="no-token-card">
        <h1>Open the assistant from its link</h1>
        <p>
          Open the link printed by <code>npm start</code> / <code>npm run assistant -- serve</code> (it carries an access token).
        </p>
        <p className="status-muted">The token keeps other programs and web pages on this computer from using your assistant.</p>
      </div>
    </main>
  );
}
