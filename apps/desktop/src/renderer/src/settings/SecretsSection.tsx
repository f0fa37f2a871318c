import { useState, type FormEvent } from 'react';
import { knownSecrets } from '@assistant/core';
import { useAssistant } from '../store';
import { secretLabels } from './settingsSlice';
import './secrets.css';

const backendLabels = {
  keychain: 'Secrets are kept in the system keychain.',
  safeStorage: 'Secrets are kept in a file encrypted by the system.',
  unavailable: 'Secrets cannot be kept on this computer, so features that need one are off.',
} as const;

/** API keys: set, replace or delete; the UI only ever learns whether one is set, never its value. */
export function SecretsSection() {
  const state = useAssistant((s) => s.secrets);
  const error = useAssistant((s) => s.secretsError);
  const notice = useAssistant((s) => s.secretsNotice);
  return (
    <div className="secrets">
      {state && (
        <p className={`settings-state${state.backend === 'unavailable' ? ' settings-state-problem' : ''}`}>
          {backendLabels[state.backend]}
          {state.reason && ` Why: ${state.reason.replace(/\.?$/, '.')}`}
        </p>
      )}
      {error && <p className="settings-problem">{error}</p>}
      <p className="settings-notice" role="status">
        {notice}
      </p>
      {Object.values(knownSecrets).map((name) => (
        <SecretRow key={name} name={name} isSet={state?.names.includes(name) ?? false} disabled={!state || state.backend === 'unavailable'} />
      ))}
    </div>
  );
}

function SecretRow({ name, isSet, disabled }: { name: string; isSet: boolean; disabled: boolean }) {
  const setSecret = useAssistant((s) => s.setSecret);
  const deleteSecret = useAssistant((s) => s.deleteSecret);
  const [value, setValue] = useState('');
  const id = `secret-${name}`;
  const label = secretLabels[name] ?? name;

  const submit = async (event: FormEvent) => {
    event.preventDefault();
    if (!value) return;
    // Cleared either way: a key typed once should not stay in the page.
    const entered = value;
    setValue('');
    await setSecret(name, entered);
  };

  return (
    <form className="setting" onSubmit={(event) => void submit(event)}>
      <div className="setting-head">
        <label className="setting-label" htmlFor={id}>
          {label}
        </label>
        <span className={`secret-state${isSet ? ' secret-state-set' : ''}`} id={`${id}-state`}>
          {isSet ? 'Set' : 'Not set'}
        </span>
      </div>
      <div className="secret-row">
        <input
          id={id}
          type="password"
          className="setting-input"
          autoComplete="new-password"
          placeholder={isSet ? 'Type a new key to replace it' : 'Paste the key'}
          aria-describedby={`${id}-state`}
          disabled={disabled}
          value={value}
          onChange={(event) => setValue(event.target.value)}
        />
        <button type="submit" className="button button-small" disabled={disabled || !value}>
          {isSet ? 'Replace' : 'Save'}
        </button>
        {isSet && (
          <button type="button" className="button button-small button-danger" aria-label={`Delete ${label}`} onClick={() => void deleteSecret(name)}>
            Delete
          </button>
        )}
      </div>
    </form>
  );
}
