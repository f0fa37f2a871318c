import { useMemo } from 'react';
import type { AppState } from '@assistant/core';
import { documentCounts } from '../documents';
import { plural } from '../format';
import { useAssistant } from '../store';
import { WorkerNotice } from './WorkerNotice';
import { NetworkStatus } from '../settings/NetworkSection';
import './statusBar.css';

const modelLabels: Record<AppState['chatModel']['status'], string> = {
  none: 'No chat model',
  idle: 'Not loaded yet',
  loading: 'Loading…',
  ready: 'Ready',
  error: 'Failed to load',
};

const workerLabels: Record<AppState['inference']['status'], string> = {
  stopped: 'Stopped',
  starting: 'Starting…',
  ready: 'Ready',
  crashed: 'Crashed',
  unavailable: 'Unavailable',
};

/** The chat model and the inference worker at a glance, with a plain sentence when something is wrong. */
export function StatusBar() {
  const appState = useAssistant((s) => s.appState);
  const connection = useAssistant((s) => s.connection);

  if (!appState) {
    return (
      <div className="status-bar" role="status">
        <span className="status-item">{connection === 'connected' ? 'Loading…' : 'Connecting to the assistant…'}</span>
      </div>
    );
  }

  const { chatModel, inference } = appState;
  const details = [chatModel.threads ? plural(chatModel.threads, 'thread') : null, chatModel.contextSize ? `${chatModel.contextSize.toLocaleString()} tokens context` : null].filter(Boolean);

  return (
    <div className="status-bar" role="status">
      <div className="status-row">
        <span className="status-item">
          <span className={`status-dot status-dot-${chatModel.status}`} aria-hidden="true" />
          <span className="status-label">Model</span> {chatModel.name ?? 'none'} · {modelLabels[chatModel.status]}
          {details.length > 0 && <span className="status-muted status-details"> · {details.join(' · ')}</span>}
        </span>
        {/* The model's state says what a healthy worker would (ready, loading): in a narrow window it only shows when in trouble. */}
        <span className={`status-item${['ready', 'starting', 'stopped'].includes(inference.status) && inference.breaker === 'closed' && inference.restarts === 0 ? ' status-item-optional' : ''}`}>
          <span className={`status-dot status-dot-worker-${inference.status}`} aria-hidden="true" />
          <span className="status-label">Inference worker</span> {workerLabels[inference.status]}
          {inference.breaker !== 'closed' && <span className="status-muted"> · circuit {inference.breaker}</span>}
          {inference.restarts > 0 && <span className="status-muted"> · {inference.restarts} restarts</span>}
        </span>
        <DocumentsStatus />
        <NetworkStatus />
      </div>
      {chatModel.status === 'error' && chatModel.error && <p className="status-problem">{chatModel.error.message}</p>}
      <WorkerNotice worker={inference} />
    </div>
  );
}

/** "Documents 12 · indexing 3": how many there are, and whether ingestion is running. */
function DocumentsStatus() {
  const loaded = useAssistant((s) => s.documentsLoaded);
  const all = useAssistant((s) => s.documents);
  const { visible, indexing, failed } = useMemo(() => documentCounts(all), [all]);
  const total = visible.length;
  if (!loaded) return null;
  return (
    // The Documents button shows the count too: in a narrow window this item only shows while indexing.
    <span className={`status-item${indexing > 0 ? '' : ' status-item-optional'}`}>
      <span className={`status-dot${indexing > 0 ? ' status-dot-loading' : total > 0 ? ' status-dot-ready' : ''}`} aria-hidden="true" />
      <span className="status-label">Documents</span> {total}
      {indexing > 0 && <span className="status-muted"> · indexing {indexing}</span>}
      {failed > 0 && <span className="status-failed"> · {failed} failed</span>}
      <span className="visually-hidden">{indexing > 0 ? ` (${plural(indexing, 'document', 'documents')} being indexed)` : ''}</span>
    </span>
  );
}
