import { useRef } from 'react';
import { isSettingKey, settingsLayout } from '@assistant/core';
import { useAssistant } from '../store';

/** Export (downloads the settings JSON) and Import (a file picker), with what an import refused and why. */
export function SettingsTransfer() {
  const exportSettings = useAssistant((s) => s.exportSettings);
  const importSettings = useAssistant((s) => s.importSettings);
  const connected = useAssistant((s) => s.client !== null);
  const picker = useRef<HTMLInputElement>(null);

  const download = async () => {
    const json = await exportSettings();
    if (json === null) return;
    const url = URL.createObjectURL(new Blob([json], { type: 'application/json' }));
    const link = document.createElement('a');
    link.href = url;
    link.download = 'assistant-settings.json';
    link.click();
    // The click has started the download; the object URL is not needed after this turn.
    setTimeout(() => URL.revokeObjectURL(url));
  };

  const onPicked = async (file: File | undefined) => {
    if (!file) return;
    await importSettings(await file.text(), file.name);
    if (picker.current) picker.current.value = '';
  };

  return (
    <div className="settings-transfer">
      <button type="button" className="button button-small" disabled={!connected} onClick={() => void download()}>
        Export
      </button>
      <button type="button" className="button button-small" disabled={!connected} onClick={() => picker.current?.click()}>
        Import…
      </button>
      <input ref={picker} type="file" accept=".json,application/json" className="visually-hidden" tabIndex={-1} aria-label="Settings file to import" onChange={(event) => void onPicked(event.target.files?.[0])} />
    </div>
  );
}

/** The outcome of the last import, under the dialog's head. */
export function ImportReportView() {
  const report = useAssistant((s) => s.importReport);
  if (!report) return null;
  return (
    <div className={`settings-import${report.error || report.refused.length > 0 ? ' settings-import-problem' : ''}`} role="status" aria-label="Import result">
      {report.error ? (
        <p>
          {report.fileName} was not imported: {report.error}
        </p>
      ) : report.refused.length === 0 ? (
        <p>Imported every setting from {report.fileName}.</p>
      ) : (
        <>
          <p>
            Imported {report.fileName}, except {report.refused.length === 1 ? 'one setting, which keeps its current value' : `${report.refused.length} settings, which keep their current values`}:
          </p>
          <ul>
            {report.refused.map(({ field, reason }) => (
              <li key={field}>
                <strong>{isSettingKey(field) ? settingsLayout[field].label : field}</strong> {isSettingKey(field) ? reason : `: ${reason}`}
              </li>
            ))}
          </ul>
        </>
      )}
    </div>
  );
}
