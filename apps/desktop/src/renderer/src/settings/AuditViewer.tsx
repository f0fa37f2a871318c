import { useEffect, useState, type FormEvent } from 'react';
import { auditKindSchema, type AuditEvent, type AuditKind } from '@assistant/core';
import { useAssistant } from '../store';
import './auditViewer.css';

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
        {/* Checkboxes, not a multiple <select>: picking several needs no Ctrl-click. None ticked: every kind. */}
        <fieldset className="audit-filter audit-kinds">
          <legend>Kinds</legend>
          <div className="audit-kinds-list">
            {kinds.map((kind) => (
              <label key={kind} className="audit-kind">
                <input type="checkbox" checked={selected.includes(kind)} onChange={(event) => setSelected(event.target.checked ? [...selected, kind] : selected.filter((k) => k !== kind))} />
                {kind}
              </label>
            ))}
          </div>
        </fieldset>
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
              <AuditRow key={event.seq} event={event} />
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

/** One entry; its button (or a click on the row) shows the details and the hash under it. */
function AuditRow({ event }: { event: AuditEvent }) {
  const [open, setOpen] = useState(false);
  const detailsId = `audit-details-${event.seq}`;
  const details = Object.entries(event.details);
  return (
    <>
      <tr className={`audit-row${open ? ' audit-row-open' : ''}`} onClick={(click) => {
          // The whole row is a target for the mouse; the button is the one for the keyboard.
          if (!(click.target as HTMLElement).closest('button')) setOpen(!open);
        }}
      >
        <td>
          <button type="button" className="icon-button audit-expand" aria-expanded={open} aria-controls={open ? detailsId : undefined} aria-label={`Details of entry ${event.seq}`} onClick={() => setOpen(!open)}>
            <svg aria-hidden="true" viewBox="0 0 16 16" width="10" height="10">
              <path d="M6 3.5l4.5 4.5L6 12.5" fill="none" stroke="currentColor" strokeWidth="1.8" strokeLinecap="round" strokeLinejoin="round" />
            </svg>
          </button>{' '}
          {event.seq}
        </td>
        <td>{new Date(event.time).toLocaleString()}</td>
        <td>{event.kind}</td>
        <td>{event.summary}</td>
      </tr>
      {open && (
        <tr id={detailsId} className="audit-details">
          <td colSpan={4}>
            <dl>
              {details.map(([name, value]) => (
                <div key={name} className="audit-detail">
                  <dt>{name}</dt>
                  <dd>{typeof value === 'string' ? value : JSON.stringify(value)}</dd>
                </div>
              ))}
              {details.length === 0 && <p className="settings-muted">No details recorded.</p>}
              <div className="audit-detail">
                <dt>hash</dt>
                <dd>
                  <code>{event.hash}</code>
                </dd>
              </div>
            </dl>
          </td>
        </tr>
      )}
    </>
  );
}
