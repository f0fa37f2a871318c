import { useAssistant } from '../store';

/**
 * "Changed outside this window": what the command line (or another app on this profile) changed and the
 * app now uses. Shown on the page, or in the settings panel while it is open (the page is inert then).
 */
export function OutsideChangeNotice({ inSettings = false }: { inSettings?: boolean }) {
  const notice = useAssistant((s) => s.outsideNotice);
  const settingsOpen = useAssistant((s) => s.settingsOpen);
  const dismiss = useAssistant((s) => s.dismissOutsideNotice);
  const shown = notice !== null && settingsOpen === inSettings;
  return (
    <div className="outside-region" role="status" aria-label="Changed outside this window">
      {shown && (
        <div className="outside-notice" key={notice.id}>
          <p>
            <strong>Changed outside this window</strong> (command line), now in use: {notice.text}.
          </p>
          <button type="button" className="icon-button" aria-label="Dismiss the notice" onClick={dismiss}>
            <span aria-hidden="true">×</span>
          </button>
        </div>
      )}
    </div>
  );
}
