import { modelSettingKinds, modelSettingProblem, type SettingDescription } from '@assistant/core';
import { useAssistant } from '../store';

type ModelSettingKey = keyof typeof modelSettingKinds;

export function isModelSetting(key: string): key is ModelSettingKey {
  return key in modelSettingKinds;
}

interface ModelSelectProps {
  info: SettingDescription & { key: ModelSettingKey };
  value: unknown;
  common: { id: string; 'aria-describedby': string; 'aria-invalid': true | undefined };
}

/**
 * A model setting: what an empty value means, then the installed models of its kind. A value set elsewhere
 * (a path from the command line, a model removed since) stays listed, marked, so it is never silently lost.
 */
export function ModelSelect({ info, value, common }: ModelSelectProps) {
  const models = useAssistant((s) => s.models);
  const update = useAssistant((s) => s.updateSetting);
  const kind = modelSettingKinds[info.key];
  const installed = models?.installed.filter((model) => model.kinds.includes(kind)) ?? [];
  const current = typeof value === 'string' ? value : '';
  const listed = current === '' || installed.some((model) => model.name === current);
  // Set elsewhere by a short name ("stories260K") or a path: kept as it is, marked when it is not installed.
  const missing = models !== null && modelSettingProblem(info.key, current, installed) !== null;
  return (
    <select className="setting-input" {...common} value={current} onChange={(event) => void update(info.key, event.target.value === '' ? null : event.target.value)}>
      <option value="">{info.empty ?? 'None'}</option>
      {installed.map((model) => (
        <option key={model.name} value={model.name}>
          {model.name}
        </option>
      ))}
      {!listed && <option value={current}>{missing ? `${current} (not in the models folder)` : current}</option>}
    </select>
  );
}
