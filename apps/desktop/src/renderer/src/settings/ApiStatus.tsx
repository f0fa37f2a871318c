import { useAssistant } from '../store';

/** The remote backend's or the local API's live state, at the top of its section. */
export function ApiStatus({ which }: { which: 'remote' | 'localApi' }) {
  const api = useAssistant((s) => s.api);
  if (!api) return null;
  if (which === 'localApi') {
    const { enabled, url, error } = api.local;
    return (
      <p className={`settings-state${error ? ' settings-state-problem' : ''}`} role="status">
        {!enabled ? 'The local API is off.' : url ? <>Serving at <code>{url}</code></> : error ? `The local API is not serving: ${error}` : 'Starting the local API…'}
      </p>
    );
  }
  const { status, baseUrl, reason } = api.remote;
  return (
    <p className={`settings-state${status === 'fallback' ? ' settings-state-problem' : ''}`} role="status">
      {status === 'off'
        ? 'No remote server is used: everything runs on this computer.'
        : status === 'ok'
          ? `Using ${baseUrl ?? 'the remote server'}.`
          : `The remote server is failing, so the local model answers meanwhile${reason ? `: ${reason}` : '.'}`}
    </p>
  );
}
