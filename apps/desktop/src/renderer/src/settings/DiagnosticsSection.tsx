import { useEffect, useState } from 'react';
import { type DiagnosticFigure, type Diagnostics, type VoiceTier, formatMs } from '@assistant/core';
import { formatBytes, formatTime } from '../format';
import { useAssistant } from '../store';
import { unavailableMessage } from './settingsSlice';
import './diagnostics.css';

const figureLabels: Record<DiagnosticFigure, string> = {
  timeToFirstToken: 'Time to first token',
  tokensPerSecond: 'Reply speed',
  promptTokensEvaluated: 'Prompt tokens evaluated',
  promptTokensCached: 'Prompt tokens reused',
  retrieval: 'Document search',
  voiceFinalTranscript: 'End of speech → transcript',
  voiceFirstAudio: 'End of speech → first audio',
  ingestThroughput: 'Document ingestion',
  apiTimeToFirstToken: 'Local API: time to first token',
  apiTokensPerSecond: 'Local API: reply speed',
  apiPromptTokensEvaluated: 'Local API: prompt tokens evaluated',
  apiPromptTokensCached: 'Local API: prompt tokens reused',
};

const tierLabels: Record<VoiceTier, string> = {
  FULL: 'listening and speaking',
  STT_ONLY: 'listening only, replies as text',
  TTS_ONLY: 'typing, replies spoken',
  TEXT_ONLY: 'text only',
};

const breakerLabels = { closed: 'Closed: working', open: 'Open: paused after failures', 'half-open': 'Half-open: trying once' } as const;

const workerLabels: Record<string, string> = { inference: 'Inference (chat model)', ingest: 'Ingest (documents)', voice: 'Voice' };

const sourceLabels: Record<string, string> = { chat: 'Chat', documents: 'Documents', inference: 'Inference worker', ingest: 'Ingest worker', voice: 'Voice worker' };

/** A figure's value in its unit (times in ms, speeds per second, token counts). */
function formatFigure(figure: DiagnosticFigure, value: number | null): string {
  if (value === null) return '—';
  switch (figure) {
    case 'tokensPerSecond':
    case 'apiTokensPerSecond':
      return `${value < 100 ? value.toFixed(1) : Math.round(value)} tokens/s`;
    case 'promptTokensEvaluated':
    case 'promptTokensCached':
    case 'apiPromptTokensEvaluated':
    case 'apiPromptTokensCached':
      return `${Math.round(value)} tokens`;
    case 'ingestThroughput':
      return `${formatBytes(value)}/s`;
    default:
      return formatMs(value);
  }
}

/**
 * Settings → Diagnostics: this session's figures (median and 95th percentile), worker restarts and
 * breakers, errors by code and the voice tier, read from the host when the section opens and on Refresh.
 */
export function DiagnosticsSection() {
  const client = useAssistant((s) => s.client);
  const [diagnostics, setDiagnostics] = useState<Diagnostics | null>(null);
  const [error, setError] = useState<string | null>(null);
  // Each Refresh asks again; the figures shown answer the latest request.
  const [requested, setRequested] = useState(0);
  const [answered, setAnswered] = useState(-1);

  // Fresh figures each time the section opens, and on Refresh.
  useEffect(() => {
    if (!client) return;
    let current = true;
    client.call('diagnostics.get', {}).then(
      (next) => {
        if (!current) return;
        setDiagnostics(next);
        setError(null);
        setAnswered(requested);
      },
      (failure: unknown) => {
        if (!current) return;
        setError(unavailableMessage(failure, 'Diagnostics'));
        setAnswered(requested);
      },
    );
    return () => {
      current = false;
    };
  }, [client, requested]);
  const loading = answered !== requested;

  const observed = diagnostics?.figures.filter((figure) => figure.count > 0) ?? [];
  const anyAnswer = observed.some((figure) => figure.figure === 'timeToFirstToken');
  return (
    <div className="diagnostics">
      <div className="diagnostics-head">
        <p className="settings-muted">
          {diagnostics ? `This session, since ${formatTime(diagnostics.startedAt)}: the median and 95th percentile of the latest 1,000 values.` : 'This session’s figures.'}
        </p>
        <button type="button" className="button button-small" disabled={loading || !client} onClick={() => setRequested((n) => n + 1)}>
          {loading ? 'Refreshing…' : 'Refresh'}
        </button>
      </div>
      {error && <p className="settings-problem">{error}</p>}
      {diagnostics && (
        <>
          {!anyAnswer && <p className="settings-state" role="status">No answers yet this session.</p>}
          {observed.length > 0 && (
            <table className="settings-table diagnostics-table">
              <caption className="visually-hidden">Figures this session</caption>
              <thead>
                <tr>
                  <th scope="col">Figure</th>
                  <th scope="col">Median</th>
                  <th scope="col">95th percentile</th>
                  <th scope="col">Count</th>
                </tr>
              </thead>
              <tbody>
                {observed.map(({ figure, count, p50, p95 }) => (
                  <tr key={figure}>
                    <th scope="row">{figureLabels[figure]}</th>
                    <td>{formatFigure(figure, p50)}</td>
                    <td>{formatFigure(figure, p95)}</td>
                    <td>{count}</td>
                  </tr>
                ))}
              </tbody>
            </table>
          )}
          <h4 className="diagnostics-subtitle">Workers</h4>
          <table className="settings-table diagnostics-table">
            <caption className="visually-hidden">Workers this session</caption>
            <thead>
              <tr>
                <th scope="col">Worker</th>
                <th scope="col">Circuit breaker</th>
                <th scope="col">Restarts</th>
              </tr>
            </thead>
            <tbody>
              {diagnostics.workers.map((worker) => (
                <tr key={worker.name}>
                  <th scope="row">{workerLabels[worker.name] ?? worker.name}</th>
                  <td className={worker.breaker === 'closed' ? undefined : 'diagnostics-bad'}>{breakerLabels[worker.breaker]}</td>
                  <td>{worker.restarts}</td>
                </tr>
              ))}
            </tbody>
          </table>
          <p className="settings-state diagnostics-tier">Voice tier: {diagnostics.voiceTier ? `${diagnostics.voiceTier} (${tierLabels[diagnostics.voiceTier]})` : 'not known yet (the voice engines are starting)'}</p>
          <h4 className="diagnostics-subtitle">Errors</h4>
          {diagnostics.errors.length === 0 ? (
            <p className="settings-muted">No errors this session.</p>
          ) : (
            <table className="settings-table diagnostics-table">
              <caption className="visually-hidden">Errors this session by code</caption>
              <thead>
                <tr>
                  <th scope="col">Where</th>
                  <th scope="col">Code</th>
                  <th scope="col">Count</th>
                </tr>
              </thead>
              <tbody>
                {diagnostics.errors.map((entry) => (
                  <tr key={`${entry.source} ${entry.code}`}>
                    <th scope="row">{sourceLabels[entry.source] ?? entry.source}</th>
                    <td>
                      <code>{entry.code}</code>
                    </td>
                    <td>{entry.count}</td>
                  </tr>
                ))}
              </tbody>
            </table>
          )}
        </>
      )}
    </div>
  );
}
