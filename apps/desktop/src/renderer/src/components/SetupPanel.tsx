import { useEffect } from 'react';
import { useAssistant } from '../store';
import { CatalogItem } from './CatalogItem';
import { CommandLine } from './CommandLine';

/** First run: no chat model is installed. Downloads one in the app, or shows the commands that install one. */
export function SetupPanel() {
  const appState = useAssistant((s) => s.appState);
  const models = useAssistant((s) => s.models);
  const connected = useAssistant((s) => s.client !== null);
  const loadModels = useAssistant((s) => s.loadModels);
  const checkSetup = useAssistant((s) => s.checkSetup);

  useEffect(() => {
    if (connected) void loadModels();
  }, [connected, loadModels]);

  const modelsDir = appState?.modelsDir ?? models?.modelsDir ?? 'the models folder';
  const chatModels = models?.catalog.filter((model) => model.kind === 'chat') ?? [];

  return (
    <section className="setup" aria-labelledby="setup-heading">
      <h2 id="setup-heading">Set up a chat model</h2>
      <p>
        No chat model is installed in <code className="path">{modelsDir}</code>. Download one below; the assistant is ready as soon as it is
        verified. Everything runs on this computer; only downloading a model uses the network.
      </p>

      {models && models.catalog.length > 0 && (
        <ul className="catalog" aria-label="Models">
          {models.catalog.map((model) => (
            <CatalogItem key={model.id} model={model} />
          ))}
        </ul>
      )}

      <h3>Prefer the terminal?</h3>
      <p>
        Download a chat model with a command; this screen notices it within seconds (or press <em>Check again</em>):
      </p>
      {chatModels.length > 0 ? (
        chatModels.map((model) => <CommandLine key={model.id} command={`npm run assistant -- models pull ${model.id}`} />)
      ) : (
        <CommandLine command="npm run assistant -- models pull <id>" />
      )}

      <h3>Offline machine</h3>
      <p>Copy a model folder from another computer, then import it:</p>
      <CommandLine command="npm run assistant -- models import <folder>" />
      <p>
        Or set <code>ASSISTANT_MODELS_DIR</code> to a folder of models before starting the assistant.
      </p>

      <button type="button" className="button" onClick={() => void checkSetup()}>
        Check again
      </button>
    </section>
  );
}
