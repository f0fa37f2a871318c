import { useRef } from 'react';
import { useModalDialog } from '../useModalDialog';
import { settingsGroups, settingsLayout, type SettingKey } from '@assistant/core';
import { useAssistant } from '../store';
import { ApiStatus } from './ApiStatus';
import { AuditViewer } from './AuditViewer';
import { DiagnosticsSection } from './DiagnosticsSection';
import { NetworkSection } from './NetworkSection';
import { SecretsSection } from './SecretsSection';
import { SettingField } from './SettingField';
import { ImportReportView, SettingsTransfer } from './SettingsTransfer';
import { OutsideChangeNotice } from '../components/OutsideChangeNotice';
import type { SettingsSection } from './settingsSlice';
import './settings.css';

export const settingsButtonId = 'settings-button';

const sections: { id: SettingsSection; title: string }[] = [
  ...settingsGroups.map((group) => ({ id: group.id, title: group.title })),
  { id: 'secrets', title: 'Secrets' },
  { id: 'network', title: 'Network' },
  { id: 'audit', title: 'Audit log' },
  { id: 'diagnostics', title: 'Diagnostics' },
];

/**
 * The settings panel: a modal <dialog> (the page behind is inert), one section at a time, each field
 * generated from the settings schema. Escape or Close ends it and focus returns to what opened it.
 */
export function SettingsDialog() {
  const open = useAssistant((s) => s.settingsOpen);
  const close = useAssistant((s) => s.closeSettings);
  const section = useAssistant((s) => s.settingsSection);
  const setSection = useAssistant((s) => s.setSettingsSection);
  const loaded = useAssistant((s) => s.settings !== null);
  const loadError = useAssistant((s) => s.settingsError);
  const heading = useRef<HTMLHeadingElement>(null);
  const { dialog, onKeyDown } = useModalDialog(open, close, heading, settingsButtonId);


  const title = sections.find((s) => s.id === section)?.title ?? '';
  // The layout's order (most used first), not the schema's.
  const keys = (Object.keys(settingsLayout) as SettingKey[]).filter((key) => settingsLayout[key].group === section);

  return (
    <dialog
      ref={dialog}
      className="modal-dialog settings-dialog"
      aria-labelledby="settings-title"
      onKeyDown={onKeyDown}
      onCancel={(event) => {
        event.preventDefault();
        close();
      }}
    >
      {open && (
        <div className="settings">
          <div className="settings-head">
            <h2 id="settings-title" className="settings-title" tabIndex={-1} ref={heading}>
              Settings
            </h2>
            <SettingsTransfer />
            <button type="button" className="button button-small" onClick={close}>
              Close
            </button>
          </div>
          <ImportReportView />
          <OutsideChangeNotice inSettings />
          <div className="settings-main">
            <nav className="settings-nav" aria-label="Settings sections">
              <ul>
                {sections.map(({ id, title: label }) => (
                  <li key={id}>
                    <button type="button" className="settings-nav-item" aria-current={id === section ? 'page' : undefined} onClick={() => setSection(id)}>
                      {label}
                    </button>
                  </li>
                ))}
              </ul>
            </nav>
            <section className="settings-body" aria-labelledby="settings-section-title">
              <h3 id="settings-section-title" className="settings-section-title">
                {title}
              </h3>
              {loadError && <p className="settings-problem">{loadError}</p>}
              {section === 'secrets' ? (
                <SecretsSection />
              ) : section === 'audit' ? (
                <AuditViewer />
              ) : section === 'network' ? (
                <NetworkSection />
              ) : section === 'diagnostics' ? (
                <DiagnosticsSection />
              ) : (
                <>
                  {(section === 'remote' || section === 'localApi') && <ApiStatus which={section} />}
                  {loaded ? keys.map((key) => <SettingField key={key} settingKey={key} />) : !loadError && <p className="settings-muted">Loading…</p>}
                </>
              )}
            </section>
          </div>
        </div>
      )}
    </dialog>
  );
}
