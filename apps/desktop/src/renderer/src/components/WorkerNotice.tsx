import type { WorkerState } from '@assistant/core';
import { formatTime, plural } from '../format';
import { useAssistant } from '../store';

/** Explains a worker the host has stopped restarting, and offers to try again now. */
export function WorkerNotice({ worker }: { worker: WorkerState }) {
  const retryWorker = useAssistant((s) => s.retryWorker);
  if (worker.breaker !== 'open' && worker.status !== 'unavailable') return null;

  const cause = worker.lastError ? ` (${worker.lastError})` : '';
  const failures = worker.consecutiveFailures;
  const failed = failures > 0 ? `failed ${failures === 1 ? 'once' : `${plural(failures, 'time', 'times')} in a row`}${cause}` : `is unavailable${cause}`;
  const when = worker.retryAt ? ` It will retry at ${formatTime(worker.retryAt)}.` : '';

  return (
    <div className="status-problem worker-notice">
      <p>
        The {worker.name} worker {failed}.{when}
      </p>
      <button type="button" className="button" onClick={() => void retryWorker()}>
        Retry
      </button>
    </div>
  );
}
