import { ErrorCode, type CatalogModel, type PullProgress } from '@assistant/core';
import { formatBytes, formatProgress, percentDone } from '../format';
import type { DownloadState } from '../models';
import { useAssistant } from '../store';

/** One catalog model: what it is, whether it is installed, and its in-app download. */
export function CatalogItem({ model }: { model: CatalogModel }) {
  const download = useAssistant((s) => s.downloads[model.id]);
  const showDownload = !model.installed;

  return (
    <li className="catalog-item">
      <div className="catalog-head">
        <span className="catalog-title">{model.title}</span>
        <span className="catalog-meta">
          {model.kind} · {formatBytes(model.sizeBytes)}
        </span>
        <span className={`tag${model.installed ? ' tag-ok' : ''}`}>{model.installed ? 'Installed' : download?.status === 'downloading' ? 'Downloading' : 'Not installed'}</span>
        {showDownload && <DownloadButton model={model} download={download} />}
      </div>
      <p className="catalog-description">{model.description}</p>
      {showDownload && download && <DownloadDetails title={model.title} download={download} />}
    </li>
  );
}

/** Download, then Cancel while it runs, then Resume download or Try again. */
function DownloadButton({ model, download }: { model: CatalogModel; download: DownloadState | undefined }) {
  const connected = useAssistant((s) => s.client !== null);
  const downloadModel = useAssistant((s) => s.downloadModel);
  const cancelDownload = useAssistant((s) => s.cancelDownload);
  const { title } = model;

  if (download?.status === 'downloading') {
    return (
      <button type="button" className="button button-small catalog-action" aria-label={`Cancel download of ${title}`} disabled={download.cancelling} onClick={() => cancelDownload(model.id)}>
        {download.cancelling ? 'Cancelling…' : 'Cancel'}
      </button>
    );
  }
  // BUSY means another window or the terminal is downloading it: nothing of ours to resume or retry.
  const [text, name] =
    download?.status === 'paused'
      ? ['Resume download', `Resume download of ${title}`]
      : download?.status === 'failed' && download.error?.code !== ErrorCode.Busy
        ? ['Try again', `Try again: download ${title}`]
        : ['Download', `Download ${title}`];
  // The chat model is what setup is about; the others can wait.
  const primary = model.kind === 'chat' && !download;
  return (
    <button type="button" className={`button button-small catalog-action${primary ? ' button-primary' : ''}`} aria-label={name} disabled={!connected} onClick={() => void downloadModel(model.id)}>
      {text}
    </button>
  );
}

function DownloadDetails({ title, download }: { title: string; download: DownloadState }) {
  if (download.status === 'failed') {
    return (
      <p className="download-error" role="alert">
        {download.error?.message ?? 'The download failed.'}
      </p>
    );
  }
  const paused = download.status === 'paused';
  return (
    <div className="download">
      <ProgressBar label={paused ? `Paused download of ${title}` : `Downloading ${title}`} progress={download.progress} paused={paused} />
      {paused && <p className="download-note">Paused. The download resumes where it stopped.</p>}
    </div>
  );
}

/** Determinate when the host knows the size; before the first report, or without a size, a moving stripe. */
function ProgressBar({ label, progress, paused }: { label: string; progress: PullProgress | null; paused: boolean }) {
  const percent = progress ? percentDone(progress.receivedBytes, progress.totalBytes) : null;
  const classes = ['progress', percent === null && 'progress-indeterminate', paused && 'progress-paused'].filter(Boolean).join(' ');
  return (
    <div className="download-progress">
      <div className={classes} role="progressbar" aria-label={label} aria-valuemin={0} aria-valuemax={100} aria-valuenow={percent ?? undefined}>
        <div className="progress-fill" style={percent === null ? undefined : { width: `${percent}%` }} />
      </div>
      <span className="download-text">{progress ? formatProgress(progress.receivedBytes, progress.totalBytes) : 'Starting…'}</span>
    </div>
  );
}
