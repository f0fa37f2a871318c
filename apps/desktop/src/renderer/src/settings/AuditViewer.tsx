import { useEffect, useState, type FormEvent } from 'react';
import { auditKindSchema, type AuditKind } from '@assistant/core';
import { useAssistant } from '../store';

const kinds = auditKindSchema.options;

/** The audit log, newest first: filter by kind, text and date, page back, follow live, verify the chain. */
export function AuditViewer() {
  const audit = useAssistant((s) => s.audit);
  const load = useAssistant((s) => s.loadAudit);
  const loadOlder = useAssistant((s) => s.loadOlderAudit);
  const verify = useAssistant((s) => s.verifyAudit);
  const [text, setText] = useState(audit.filter.text);
  const [selected, setSelected] = useState<AuditKind[]>(audit.filter.kinds);
  const [since, setSince] = useState(audit.filter.since === null ? '' : new Date(audit.filter.since).toISOString().slice(0, 10));

  useEffect(() => {
    void load();
  }, [load]);

  const apply = (event: FormEvent) => {
    event.preventDefault();
    // A date means from the start of that day, local time.
    const sinceMs = since ? new Date(`${since}T00:00:00`).getTime() : null;
    void load({ kinds: selected, text, since: Number.isFinite(sinceMs) ? sinceMs : null });
  };

  return (
    <div className="audit">
      <form className="audit-filters" onSubmit={apply} aria-label="Audit log filters">
        <label className="audit-filter">
          <span>Kinds</span>
          <select multiple size={4} className="setting-input" value={selected} onChange={(event) => setSelected([...event.target.selectedOptions].map((option) => option.value as AuditKind))}>
            {kinds.map((kind) => (
              <option key={kind} value={kind}>
                {kind}
              </option>
            ))}
          </select>
        </label>
        <div className="audit-filter-column">
          <label className="audit-filter">
            <span>Text</span>
            <input type="search" className="setting-input" value={text} onChange={(event) => setText(event.target.value)} />
          </label>
          <label className="audit-filter">
            <span>Since</span>
            <input type="date" className="setting-input" value={since} onChange={(event) => setSince(event.target.value)} />
          </label>
          <div className="audit-actions">
            <button type="submit" className="button button-small">
              Filter
            </button>
            <button type="button" className="button button-small" disabled={audit.verifying} onClick={() => void verify()}>
              {audit.verifying ? 'Verifying…' : 'Verify'}
            </button>
          </div>
        </div>
      </form>
      <p className={`settings-state${audit.verify && !audit.verify.ok ? ' settings-state-problem' : ''}`} role="status">
        {audit.verify?.message}
      </p>
      {audit.error && <p className="settings-problem">{audit.error}</p>}
      {!audit.error && audit.events.length === 0 && !audit.loading && <p className="settings-muted">No entries match.</p>}
      {audit.events.length > 0 && (
        <table className="settings-table audit-table">
          <caption className="visually-hidden">Audit log entries, newest first</caption>
          <thead>
            <tr>
              <th scope="col">#</th>
              <th scope="col">Time</th>
              <th scope="col">Kind</th>
              <th scope="col">What happened</th>
            </tr>
          </thead>
          <tbody>
            {audit.events.map((event) => (
              <tr key={event.seq}>
                <td>{event.seq}</td>
                <td>{new Date(event.time).toLocaleString()}</td>
                <td>{event.kind}</td>
                <td>{event.summary}</td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
      {audit.hasMore && (
        <button type="button" className="button button-small" disabled={audit.loading} onClick={() => void loadOlder()}>
          Load older entries
        </button>
      )}
      {audit.loading && <p className="settings-muted">Loading…</p>}
    </div>
  );
}
