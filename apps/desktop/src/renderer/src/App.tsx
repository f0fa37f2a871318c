import { useEffect } from 'react';
import { useAssistant } from './store';
import { ConnectionBanner } from './components/ConnectionBanner';
import { Composer } from './components/Composer';
import { ErrorAlert } from './components/ErrorAlert';
import { NoTokenScreen } from './components/NoTokenScreen';
import { SetupPanel } from './components/SetupPanel';
import { Sidebar } from './components/Sidebar';
import { StatusBar } from './components/StatusBar';
import { Transcript } from './components/Transcript';

export function App() {
  const connection = useAssistant((s) => s.connection);
  const setupNeeded = useAssistant((s) => s.appState?.setupNeeded ?? false);
  const title = useAssistant((s) => s.conversations.find((c) => c.id === s.activeConversationId)?.title ?? 'New conversation');

  useGlobalShortcuts();

  useEffect(() => {
    document.title = `${title} · Assistant`;
  }, [title]);

  if (connection === 'no-token') return <NoTokenScreen />;

  return (
    <div className="app">
      <Sidebar />
      <main className="main">
        <ConnectionBanner />
        <header className="main-header">
          <h1 className="conversation-title">{title}</h1>
          <StatusBar />
        </header>
        <ErrorAlert />
        <Transcript before={setupNeeded ? <SetupPanel /> : null} />
        <Composer />
      </main>
    </div>
  );
}

/** Ctrl/Cmd+N starts a conversation; Escape stops a reply (fields that use Escape themselves prevent it). */
function useGlobalShortcuts(): void {
  useEffect(() => {
    const onKeyDown = (event: KeyboardEvent) => {
      const { newConversation, stop, streaming } = useAssistant.getState();
      if ((event.ctrlKey || event.metaKey) && !event.shiftKey && !event.altKey && event.key.toLowerCase() === 'n') {
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
