import { useEffect, useMemo } from 'react';
import { documentCounts } from './documents';
import { useAssistant } from './store';
import { ConnectionBanner } from './components/ConnectionBanner';
import { Composer } from './components/Composer';
import { DocumentsPanel, documentsHeadingId, documentsToggleId } from './components/DocumentsPanel';
import { DropOverlay } from './components/DropOverlay';
import { ErrorAlert } from './components/ErrorAlert';
import { NoTokenScreen } from './components/NoTokenScreen';
import { OutsideChangeNotice } from './components/OutsideChangeNotice';
import { PassageDialog } from './components/PassageDialog';
import { SetupPanel } from './components/SetupPanel';
import { Sidebar } from './components/Sidebar';
import { StatusBar } from './components/StatusBar';
import { Transcript } from './components/Transcript';
import { VoiceBanner } from './voice/VoiceBanner';
import { SettingsDialog, settingsButtonId } from './settings/SettingsDialog';

export function App() {
  const connection = useAssistant((s) => s.connection);
  const setupNeeded = useAssistant((s) => s.appState?.setupNeeded ?? false);
  const title = useAssistant((s) => s.conversations.find((c) => c.id === s.activeConversationId)?.title ?? 'New conversation');
  const documentsOpen = useAssistant((s) => s.documentsOpen);

  useGlobalShortcuts();

  useEffect(() => {
    document.title = `${title} · Assistant`;
  }, [title]);

  const everConnected = useAssistant((s) => s.appState !== null);
  if (connection === 'no-token' || (connection === 'refused' && !everConnected)) return <NoTokenScreen refused={connection === 'refused'} />;

  return (
    <div className={`app${documentsOpen ? ' app-with-documents' : ''}`}>
      <Sidebar />
      <main className="main">
        <ConnectionBanner />
        <header className="main-header">
          <div className="main-header-row">
            <h1 className="conversation-title">{title}</h1>
            <DocumentsToggle />
            <SettingsButton />
          </div>
          <StatusBar />
        </header>
        <ErrorAlert />
        <OutsideChangeNotice />
        <VoiceBanner />
        <Transcript before={setupNeeded ? <SetupPanel /> : null} />
        <Composer />
      </main>
      {documentsOpen && <DocumentsPanel />}
      <DropOverlay />
      <PassageDialog />
      <SettingsDialog />
    </div>
  );
}

/** Shows or hides the documents panel; the count tells what is there without opening it. */
function DocumentsToggle() {
  const open = useAssistant((s) => s.documentsOpen);
  const all = useAssistant((s) => s.documents);
  const { visible, failed } = useMemo(() => documentCounts(all), [all]);
  const count = visible.length;
  const setOpen = useAssistant((s) => s.setDocumentsOpen);
  return (
    <button
      type="button"
      id={documentsToggleId}
      className="button button-small documents-toggle"
      aria-expanded={open}
      aria-controls="documents-panel"
      onClick={() => {
        setOpen(!open);
        // Opening by hand takes the user into the panel (a drop opens it without moving focus).
        if (!open) setTimeout(() => document.getElementById(documentsHeadingId)?.focus());
      }}
    >
      <svg aria-hidden="true" viewBox="0 0 16 16" width="14" height="14">
        <path d="M4 2h5l3 3v9H4z M9 2v3h3" fill="none" stroke="currentColor" strokeWidth="1.3" strokeLinejoin="round" />
      </svg>
      Documents{count > 0 ? ` (${count}${failed > 0 ? ` · ${failed} failed` : ''})` : ''}
    </button>
  );
}

/** Opens the settings panel (also Ctrl+, or Cmd+,). */
function SettingsButton() {
  const openSettings = useAssistant((s) => s.openSettings);
  return (
    <button type="button" id={settingsButtonId} className="button button-small" aria-keyshortcuts="Control+Comma Meta+Comma" onClick={() => openSettings()}>
      Settings
    </button>
  );
}

/** Ctrl/Cmd+, opens settings; Ctrl/Cmd+N starts a conversation; Escape stops a reply (fields that use Escape themselves prevent it). */
function useGlobalShortcuts(): void {
  useEffect(() => {
    const onKeyDown = (event: KeyboardEvent) => {
      const { newConversation, stop, streaming } = useAssistant.getState();
      if ((event.ctrlKey || event.metaKey) && !event.shiftKey && !event.altKey && event.key === ',') {
        event.preventDefault();
        useAssistant.getState().openSettings();
      } else if ((event.ctrlKey || event.metaKey) && !event.shiftKey && !event.altKey && event.key.toLowerCase() === 'n') {
        event.preventDefault();
        newConversation();
      } else if (event.key === 'Escape' && !event.defaultPrevented && streaming) {
        event.preventDefault();
        stop();
      }
    };
    window.addEventListener('keydown', onKeyDown);
    return () => window.removeEventListener('keydown', onKeyDown);
  }, []);
}
