import { useMemo, useRef, type CSSProperties } from 'react';
import type { DocumentInfo } from '@assistant/core';
import { activeStatuses, ocrNotes, ocrProgress, rowKeys, visibleDocuments } from '../documents';
import { supportedFormatsText } from '../files';
import { formatBytes, percentDone, plural } from '../format';
import { useAssistant } from '../store';
import { AddFiles } from './AddFiles';
import { AddReportView } from './AddReportView';
import { InlineConfirm, useInlineConfirm } from './InlineConfirm';
import { useHeaderBottom } from './useHeaderBottom';
import './documentsDrawer.css';

export const documentsToggleId = 'documents-toggle';
export const documentsHeadingId = 'documents-heading';

const statusLabels: Record<DocumentInfo['status'], string> = {
  queued: 'Queued',
  parsing: 'Reading',
  embedding: 'Indexing',
  ready: 'Ready',
  failed: 'Failed',
  cancelled: 'Cancelled',
};

const formatLabels: Record<NonNullable<DocumentInfo['format']>, string> = {
  pdf: 'PDF',
  docx: 'DOCX',
  epub: 'EPUB',
  html: 'HTML',
  markdown: 'Markdown',
  text: 'Text',
  code: 'Code',
  image: 'Picture',
};

/** The documents the assistant answers from: add, watch them being indexed, cancel, re-index, remove. */
export function DocumentsPanel() {
  const all = useAssistant((s) => s.documents);
  const documents = useMemo(() => visibleDocuments(all), [all]);
  const keys = useMemo(() => rowKeys(documents), [documents]);
  const loaded = useAssistant((s) => s.documentsLoaded);
  const loadError = useAssistant((s) => s.documentsError);
  const connected = useAssistant((s) => s.client !== null);
  const setOpen = useAssistant((s) => s.setDocumentsOpen);
  const reindex = useAssistant((s) => s.reindexDocuments);
  const search = useAssistant((s) => s.appState?.documents.search ?? null);
  const headerBottom = useHeaderBottom();

  const close = () => {
    setOpen(false);
    // The panel and its close button are gone: continue from the button that opens it again.
    document.getElementById(documentsToggleId)?.focus();
  };

  return (
    <aside id="documents-panel" className="documents-panel" aria-labelledby={documentsHeadingId} style={{ '--documents-top': `${headerBottom}px` } as CSSProperties}>
      <div className="documents-head">
        <h2 id={documentsHeadingId} className="documents-title" tabIndex={-1}>
          Documents
        </h2>
        <button type="button" className="icon-button" aria-label="Close documents" title="Close" onClick={close}>
          <span aria-hidden="true">×</span>
        </button>
      </div>
      <div className="documents-actions">
        <AddFiles />
        {documents.length > 0 && (
          <button type="button" className="button button-small" disabled={!connected} onClick={() => void reindex()}>
            Re-index all
          </button>
        )}
      </div>
      {documents.length > 0 && search?.mode === 'keywords' && (
        <p className="documents-search-note" role="note">
          Keyword search only: {search.reason ?? 'vectors are unavailable'}.
        </p>
      )}
      <AddReportView />
      {loadError && <p className="document-error">{loadError}</p>}
      {documents.length === 0 ? (
        <div className="documents-empty">
          {loaded || loadError || !connected ? (
            <>
              <p className="documents-empty-title">No documents yet</p>
              <p>Drop files or folders anywhere on this window, or use Add files…. The assistant answers from them and cites where each answer comes from.</p>
              <p>It reads {supportedFormatsText}. Everything stays on this computer.</p>
            </>
          ) : (
            <p>Loading documents…</p>
          )}
        </div>
      ) : (
        <ul className="documents-list" aria-label="Your documents">
          {documents.map((document) => (
            <DocumentRow key={keys.get(document.id)} document={document} />
          ))}
        </ul>
      )}
    </aside>
  );
}

function DocumentRow({ document }: { document: DocumentInfo }) {
  const connected = useAssistant((s) => s.client !== null);
  const cancel = useAssistant((s) => s.cancelDocument);
  const reindex = useAssistant((s) => s.reindexDocuments);
  const remove = useAssistant((s) => s.removeDocument);
  const { confirming, trigger, ask, keep } = useInlineConfirm();
  const row = useRef<HTMLLIElement>(null);
  const active = activeStatuses.has(document.status);
  const name = document.name;

  const confirmRemove = async () => {
    await remove(document.id);
    // The row goes with its focused confirm button (it may be gone already, the change event being first):
    // continue from the list's heading, not the top of the page.
    const gone = !useAssistant.getState().documents.some((other) => other.id === document.id);
    const focused = window.document.activeElement;
    const lost = !focused || focused === window.document.body || row.current?.contains(focused);
    if (gone && lost) window.document.getElementById(documentsHeadingId)?.focus();
  };

  const meta = [
    document.format ? formatLabels[document.format] : null,
    document.pages ? plural(document.pages, 'page', 'pages') : null,
    document.chunks > 0 ? plural(document.chunks, 'passage', 'passages') : null,
    document.ocr && document.ocr.pages > 0 && document.status !== 'parsing' ? `OCR: ${plural(document.ocr.pages, 'page')}` : null,
    formatBytes(document.sizeBytes),
  ].filter(Boolean);

  return (
    <li ref={row} className={`document document-${document.status}`}>
      <div className="document-head">
        <span className="document-name" title={document.path}>
          {name}
        </span>
        <span className={`tag document-status document-status-${document.status}`}>{statusLabels[document.status]}</span>
      </div>
      <div className="document-meta">
        {document.title && document.title !== name && <span className="document-title">{document.title} · </span>}
        {meta.join(' · ')}
      </div>
      {document.status === 'queued' && <p className="document-progress-text">Waiting to be read…</p>}
      {(document.status === 'parsing' || document.status === 'embedding') && <DocumentProgress document={document} />}
      {document.status === 'failed' && <p className="document-error">{document.error?.message ?? 'This document could not be read.'}</p>}
      {ocrNotes(document).map((note) => (
        <p key={note} className="document-warning">
          {note}
        </p>
      ))}
      {confirming ? (
        <InlineConfirm label={`Remove ${name}?`} question="Remove it from your documents?" action="Remove" onConfirm={() => void confirmRemove()} onKeep={keep} />
      ) : (
        <div className="document-actions">
          {active ? (
            <button type="button" className="button button-small" aria-label={`Cancel indexing ${name}`} disabled={!connected} onClick={() => void cancel(document.id)}>
              Cancel
            </button>
          ) : (
            <button type="button" className="button button-small" aria-label={`Re-index ${name}`} disabled={!connected} onClick={() => void reindex(document.id)}>
              Re-index
            </button>
          )}
          <button ref={trigger} type="button" className="button button-small" aria-label={`Remove ${name}`} disabled={!connected} onClick={ask}>
            Remove
          </button>
        </div>
      )}
    </li>
  );
}

/** Reading: a moving stripe (no count yet), or OCR's page of pages. Indexing: embedded passages of all, as a bar with its value. */
function DocumentProgress({ document }: { document: DocumentInfo }) {
  const embedding = document.status === 'embedding' && document.chunks > 0;
  const ocr = ocrProgress(document);
  const percent = embedding ? (percentDone(document.embeddedChunks, document.chunks) ?? 0) : (ocr?.percent ?? null);
  const text = ocr ? ocr.text : document.status === 'parsing' ? 'Reading the text…' : embedding ? `${document.embeddedChunks} of ${plural(document.chunks, 'passage')}` : 'Indexing…';
  const classes = ['progress', percent === null && 'progress-indeterminate'].filter(Boolean).join(' ');
  return (
    <div className="document-progress">
      <div
        className={classes}
        role="progressbar"
        aria-label={`${statusLabels[document.status]} ${document.name}`}
        aria-valuemin={0}
        aria-valuemax={100}
        aria-valuenow={percent ?? undefined}
        aria-valuetext={text}
      >
        <div className="progress-fill" style={percent === null ? undefined : { width: `${percent}%` }} />
      </div>
      <span className="document-progress-text">{text}</span>
    </div>
  );
}
