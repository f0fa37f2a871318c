import { formatBytes, formatTime, plural } from '../format';
import { useAssistant } from '../store';
import { SettingField } from './SettingField';

/** Every outbound connection attempt of this session, allowed or blocked, and the offline lock. */
export function NetworkSection() {
  const network = useAssistant((s) => s.network);
  const error = useAssistant((s) => s.networkError);
  const attempts = network?.attempts ?? [];
  return (
    <div className="network">
      <SettingField settingKey="offlineLock" idPrefix="network" />
      {error && <p className="settings-problem">{error}</p>}
      {network && (
        <p className="settings-state" role="status">
          {attempts.length === 0 ? 'No outbound connections this session: nothing has left this computer.' : `${plural(attempts.length, 'outbound connection', 'outbound connections')} this session.`}
        </p>
      )}
      {attempts.length > 0 && (
        <table className="settings-table">
          <caption className="visually-hidden">Outbound connections, newest first</caption>
          <thead>
            <tr>
              <th scope="col">Time</th>
              <th scope="col">Host</th>
              <th scope="col">Purpose</th>
              <th scope="col">Result</th>
              <th scope="col">Bytes</th>
            </tr>
          </thead>
          <tbody>
            {[...attempts].reverse().map((attempt, index) => (
              <tr key={`${attempt.time}-${index}`}>
                <td>{formatTime(attempt.time)}</td>
                <td>{attempt.host}</td>
                <td>{attempt.purpose}</td>
                <td className={attempt.allowed ? 'network-allowed' : 'network-blocked'}>{attempt.allowed ? 'Allowed' : 'Blocked'}</td>
                <td>{attempt.bytes === null ? '—' : formatBytes(attempt.bytes)}</td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
    </div>
  );
}

/** "0 connections" in the status bar: the privacy promise, visible; opens the list. */
export function NetworkStatus() {
  const network = useAssistant((s) => s.network);
  const openSettings = useAssistant((s) => s.openSettings);
  if (!network) return null;
  const count = network.attempts.length;
  const blocked = network.attempts.filter((attempt) => !attempt.allowed).length;
  return (
    <span className="status-item">
      <span className={`status-dot${count === 0 ? ' status-dot-ready' : ''}`} aria-hidden="true" />
      <span className="status-label">Network</span>
      <button type="button" className="status-link" aria-label={`Outbound connections this session: ${count}. Show them`} onClick={() => openSettings('network')}>
        {plural(count, 'connection', 'connections')}
        {blocked > 0 && ` · ${blocked} blocked`}
      </button>
      {network.offlineLock && <span className="status-muted"> · offline lock</span>}
    </span>
  );
}
