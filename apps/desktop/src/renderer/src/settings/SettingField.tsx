import { useState, type KeyboardEvent } from 'react';
import { appliesNotes, describeSetting, parseSettingText, type SettingDescription, type SettingKey } from '@assistant/core';
import { useAssistant } from '../store';
import { CodeSpans } from '../components/CodeSpans';
import { formatSettingValue, optionLabels } from '../format';
import { ModelSelect, isModelSetting } from './ModelSelect';

/** One setting, generated from its schema: the right control, its help, when it applies, and its error. */
export function SettingField({ settingKey, idPrefix = 'setting' }: { settingKey: SettingKey; idPrefix?: string }) {
  const info = describeSetting(settingKey);
  const value = useAssistant((s) => s.settings?.[settingKey]);
  const error = useAssistant((s) => s.fieldErrors[settingKey] ?? null);
  const reset = useAssistant((s) => s.resetSetting);
  const id = `${idPrefix}-${settingKey}`;
  const note = appliesNotes[info.applies];
  const isDefault = JSON.stringify(value) === JSON.stringify(info.default);
  const describedBy = [`${id}-help`, note ? `${id}-applies` : null, error ? `${id}-error` : null].filter(Boolean).join(' ');

  return (
    <div className={`setting${error ? ' setting-invalid' : ''}`}>
      <div className="setting-head">
        {info.kind === 'boolean' ? (
          <span className="setting-label" id={`${id}-label`}>
            {info.label}
          </span>
        ) : (
          <label className="setting-label" htmlFor={id}>
            {info.label}
          </label>
        )}
        {!isDefault && value !== undefined && (
          <button type="button" className="button button-small setting-reset" aria-label={`Reset ${info.label} to default`} onClick={() => void reset(settingKey)}>
            Reset
          </button>
        )}
      </div>
      {value !== undefined && <Control info={info} id={id} value={value} describedBy={describedBy} invalid={error !== null} />}
      <p className="setting-help" id={`${id}-help`}>
        <CodeSpans text={info.help} />
        {!isDefault && <span className="setting-default"> Default: {formatSettingValue(info.default)}.</span>}
      </p>
      {note && (
        <p className="setting-applies" id={`${id}-applies`}>
          {note}
        </p>
      )}
      {error && (
        <p className="setting-error" id={`${id}-error`} role="alert">
          <CodeSpans text={error} />
        </p>
      )}
    </div>
  );
}

interface ControlProps {
  info: SettingDescription;
  id: string;
  value: unknown;
  describedBy: string;
  invalid: boolean;
}

/** Text and numbers are sent on Enter or when leaving the field; switches and choices at once. */
function Control({ info, id, value, describedBy, invalid }: ControlProps) {
  const update = useAssistant((s) => s.updateSetting);
  const check = useAssistant((s) => s.checkSetting);
  const shown = value === null ? '' : String(value);
  const [draft, setDraft] = useState(shown);
  const [synced, setSynced] = useState(shown);
  // A value changed elsewhere (reset, import, the host's answer) replaces the draft; focus stays put.
  if (synced !== shown) {
    setSynced(shown);
    setDraft(shown);
  }
  const common = { id, 'aria-describedby': describedBy, 'aria-invalid': invalid || undefined };

  const commit = (text: string) => {
    if (text === shown) return;
    void update(info.key, parseSettingText(info.key, text));
  };
  const edit = (text: string) => {
    setDraft(text);
    check(info.key, parseSettingText(info.key, text));
  };
  const onEnter = (event: KeyboardEvent<HTMLInputElement>) => {
    if (event.key === 'Enter') commit(draft);
  };

  if (isModelSetting(info.key)) return <ModelSelect info={{ ...info, key: info.key }} value={value} common={common} />;
  if (info.kind === 'boolean') {
    return (
      <button type="button" role="switch" aria-checked={value === true} aria-labelledby={`${id}-label`} className="setting-switch" {...common} onClick={() => void update(info.key, value !== true)}>
        <span className="setting-switch-track" aria-hidden="true" />
        <span>{value === true ? 'On' : 'Off'}</span>
      </button>
    );
  }
  if (info.kind === 'enum') {
    return (
      <select className="setting-input" {...common} value={shown} onChange={(event) => void update(info.key, event.target.value)}>
        {(info.options ?? []).map((option) => (
          <option key={option} value={option}>
            {optionLabels[option] ?? option}
          </option>
        ))}
      </select>
    );
  }
  if (info.kind === 'text') {
    return <textarea className="setting-input setting-textarea" rows={4} {...common} value={draft} onChange={(event) => edit(event.target.value)} onBlur={() => commit(draft)} />;
  }
  if (info.kind === 'number' || info.kind === 'integer') {
    const step = info.kind === 'integer' ? 1 : info.max !== null && info.min !== null && info.max - info.min <= 2 ? 0.05 : 0.1;
    // A slider helps for small continuous ranges (temperature, weights); big counts are typed.
    const slider = info.kind === 'number' && info.min !== null && info.max !== null && info.max - info.min <= 10;
    return (
      <div className="setting-number">
        {slider && (
          <input
            type="range"
            className="setting-range"
            aria-label={`${info.label} slider`}
            tabIndex={-1}
            min={info.min ?? undefined}
            max={info.max ?? undefined}
            step={step}
            value={Number.isFinite(Number(draft)) ? Number(draft) : Number(shown)}
            onChange={(event) => edit(event.target.value)}
            onPointerUp={(event) => commit(event.currentTarget.value)}
          />
        )}
        <input
          type="text"
          inputMode="decimal"
          className="setting-input setting-input-number"
          {...common}
          value={draft}
          onChange={(event) => edit(event.target.value)}
          onBlur={() => commit(draft)}
          onKeyDown={onEnter}
        />
        {(info.min !== null || info.max !== null) && (
          <span className="setting-range-note">
            {info.min ?? '…'} to {info.max ?? '…'}
          </span>
        )}
      </div>
    );
  }
  return (
    <input
      type={info.format === 'url' ? 'url' : 'text'}
      className="setting-input"
      placeholder={info.empty ?? undefined}
      spellCheck={false}
      {...common}
      value={draft}
      onChange={(event) => edit(event.target.value)}
      onBlur={() => commit(draft)}
      onKeyDown={onEnter}
    />
  );
}
