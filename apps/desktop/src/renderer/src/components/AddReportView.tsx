import { useMemo } from 'react';
import type { DocumentInfo } from '@assistant/core';
import type { AddOutcome } from '../documents';
import { useAssistant } from '../store';
import { plural } from '../format';

/** Where one added file is now: it follows its document through reading and indexing to Ready or Failed. */
type LiveStatus = 'queued' | 'reading' | 'indexing' | 'added' | 'skipped' | 'failed' | 'cancelled' | 'removed';

interface LiveOutcome {
  key: string;
  name: string;
  status: LiveStatus;
  reason: string | null;
}

const phases: Record<DocumentInfo['status'], LiveStatus> = {
  queued: 'queued',
  parsing: 'reading',
  embedding: 'indexing',
  ready: 'added',
  failed: 'failed',
  cancelled: 'cancelled',
};

const activePhases: ReadonlySet<LiveStatus> = new Set(['queued', 'reading', 'indexing']);

function follow(outcome: AddOutcome, documents: ReadonlyMap<string, DocumentInfo>): LiveOutcome {
  if (outcome.status !== 'queued' || outcome.documentId === null) return outcome;
  const document = documents.get(outcome.documentId);
  if (!document) return { ...outcome, status: 'removed', reason: null };
  return { ...outcome, status: phases[document.status], reason: document.status === 'failed' ? (document.error?.message ?? 'it could not be read') : null };
}

const texts: Record<LiveStatus, string> = {
  queued: 'queued',
  reading: 'reading…',
  indexing: 'indexing…',
  added: 'added',
  skipped: 'skipped',
  failed: 'failed',
  cancelled: 'cancelled',
  removed: 'removed',
};

/** "Done: 18 added, 2 skipped, 1 failed." once every file is through; until then where it stands. */
function summary(outcomes: readonly LiveOutcome[], done: number, total: number): string {
  const count = (status: LiveStatus) => outcomes.filter((outcome) => outcome.status === status).length;
  const ends = `${count('added')} added, ${count('skipped')} skipped, ${count('failed')} failed${count('cancelled') > 0 ? `, ${count('cancelled')} cancelled` : ''}`;
  if (done < total) return `Adding ${done + 1} of ${total}…`;
  const working = outcomes.filter((outcome) => activePhases.has(outcome.status)).length;
  return working > 0 ? `Indexing ${working} of ${plural(total, 'file')}… So far ${ends}.` : `Done: ${ends}.`;
}

/** What happened to each file of the last add, kept up to date until it is Ready or Failed. */
export function AddReportView() {
  const report = useAssistant((s) => s.addReport);
  const documents = useAssistant((s) => s.documents);
  const dismiss = useAssistant((s) => s.dismissAddReport);
  const outcomes = useMemo(() => {
    const byId = new Map(documents.map((document) => [document.id, document]));
    return report?.outcomes.map((outcome) => follow(outcome, byId)) ?? [];
  }, [report, documents]);
  if (!report) return null;
  const uploaded = report.done >= report.total;
  return (
    <section className="add-report" aria-label="Added files">
      <div className="add-report-head">
        <p role="status">{summary(outcomes, report.done, report.total)}</p>
        {uploaded && (
          <button type="button" className="icon-button" aria-label="Dismiss the list of added files" onClick={dismiss}>
            <span aria-hidden="true">×</span>
          </button>
        )}
      </div>
      {outcomes.length > 0 && (
        <ul className="add-report-list">
          {outcomes.map((outcome) => (
            <li key={outcome.key} className={`add-outcome add-outcome-${outcome.status}`}>
              <span className="add-outcome-name">{outcome.name}</span>{' '}
              <span className="add-outcome-text">
                — {texts[outcome.status]}
                {outcome.reason ? `: ${outcome.reason}` : ''}
              </span>
            </li>
          ))}
        </ul>
      )}
    </section>
  );
}
