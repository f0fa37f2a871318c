import { useAssistant } from '../store';

/** The last failed call (rename, delete, list…) in plain words, until dismissed. */
export function ErrorAlert() {
  const error = useAssistant((s) => s.error);
  const dismiss = useAssistant((s) => s.dismissError);
  // The region stays mounted so assistive tech is already watching it when a message arrives.
  return (
    <div className="alert-region" role="alert">
      {error && (
        <div className="alert" key={error.id}>
          <p>{error.message}</p>
          <button type="button" className="icon-button" aria-label="Dismiss error" onClick={dismiss}>
            <span aria-hidden="true">×</span>
          </button>
        </div>
      )}
    </div>
  );
}
