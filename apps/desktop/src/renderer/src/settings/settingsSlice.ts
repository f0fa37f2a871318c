import { ErrorCode, describeSetting, modelSettingProblem, settingLabelProblem, settingProblem, settingsConflict, toErrorPayload, type SecretsState, type SettingKey, type Settings } from '@assistant/core';
import type { StoreApi } from 'zustand';
import type { AssistantState } from '../store';
import { formatSettingValue } from '../format';

/** The panel's sections: the schema's groups, then the power-user views. */
export type SettingsSection = 'models' | 'generation' | 'voice' | 'documents' | 'privacy' | 'remote' | 'localApi' | 'secrets' | 'audit' | 'network' | 'diagnostics';

export interface ImportReport {
  id: number;
  fileName: string;
  /** The whole file was refused (not JSON…). */
  error: string | null;
  refused: { field: string; reason: string }[];
}

/** The settings panel's part of the store: settings with per-field errors, import/export, and secrets. */
export interface SettingsSlice {
  settings: Settings | null;
  settingsError: string | null;
  settingsOpen: boolean;
  settingsSection: SettingsSection;
  /** Why the last value typed or sent for a field was refused, naming the field by its label. */
  fieldErrors: Partial<Record<SettingKey, string>>;
  importReport: ImportReport | null;
  secrets: SecretsState | null;
  secretsError: string | null;
  /** The last secret action's result, e.g. "Remote API key saved." */
  secretsNotice: string | null;

  loadSettings(): Promise<void>;
  openSettings(section?: SettingsSection): void;
  closeSettings(): void;
  setSettingsSection(section: SettingsSection): void;
  /** Instant feedback while typing, with the same schema the host uses. */
  checkSetting(key: SettingKey, value: unknown): void;
  updateSetting(key: SettingKey, value: unknown): Promise<boolean>;
  resetSetting(key: SettingKey): Promise<void>;
  /** The settings JSON to save, or null when it could not be read (the reason goes to the alert). */
  exportSettings(): Promise<string | null>;
  importSettings(json: string, fileName: string): Promise<void>;
  loadSecrets(): Promise<void>;
  setSecret(name: string, value: string): Promise<boolean>;
  deleteSecret(name: string): Promise<void>;
}

type SetState = StoreApi<AssistantState>['setState'];
type GetState = StoreApi<AssistantState>['getState'];

let importSeq = 0;

/** A host without this part yet (older version) answers UNKNOWN_METHOD: say so instead of a raw error. */
export function unavailableMessage(error: unknown, what: string): string {
  const { code, message } = toErrorPayload(error);
  return code === ErrorCode.UnknownMethod ? `${what} is not available in this version of the assistant.` : message;
}

export const secretLabels: Record<string, string> = {
  remoteApiKey: 'Remote server API key',
  localApiKey: 'Local API key',
};

export function createSettingsSlice(set: SetState, get: GetState): SettingsSlice {
  /**
   * The host's checks, run here for instant feedback in the field's own words: the schema, a remote server
   * without its URL, a model that is not installed. The host runs the same ones and has the last word.
   */
  function fieldProblem(key: SettingKey, value: unknown): string | null {
    const { settings, models } = get();
    const schema = settingProblem(key, value);
    if (schema) return schema;
    if (!settings || value === settings[key]) return null;
    const model = models ? modelSettingProblem(key, value, models.installed) : null;
    return model ?? settingsConflict({ ...settings, [key]: value }, [key])?.reason ?? null;
  }

  function setFieldError(key: SettingKey, message: string | null): void {
    set((s) => {
      const fieldErrors = { ...s.fieldErrors };
      if (message) fieldErrors[key] = message;
      else delete fieldErrors[key];
      return { fieldErrors };
    });
  }

  return {
    settings: null,
    settingsError: null,
    settingsOpen: false,
    settingsSection: 'models',
    fieldErrors: {},
    importReport: null,
    secrets: null,
    secretsError: null,
    secretsNotice: null,

    async loadSettings() {
      const client = get().client;
      if (!client) return;
      try {
        set({ settings: await client.call('settings.get', {}), settingsError: null });
      } catch (error) {
        const { code, message } = toErrorPayload(error);
        if (code !== ErrorCode.TransportClosed) set({ settingsError: message });
      }
    },

    openSettings(section) {
      set((s) => ({ settingsOpen: true, settingsSection: section ?? s.settingsSection }));
      // Fresh values every time: the CLI or another window may have changed them.
      void get().loadSettings();
      // The model fields offer the installed models.
      void get().loadModels();
      void get().loadSecrets();
      void get().loadTrust();
    },

    closeSettings() {
      set({ settingsOpen: false, fieldErrors: {}, importReport: null, secretsNotice: null });
    },

    setSettingsSection(section) {
      set({ settingsSection: section });
    },

    checkSetting(key, value) {
      const problem = fieldProblem(key, value);
      setFieldError(key, problem ? settingLabelProblem(key, problem) : null);
    },

    async updateSetting(key, value) {
      const client = get().client;
      if (!client) return false;
      // Sent even when the local check fails: the host's refusal is the one shown, so both always agree.
      try {
        const settings = await client.call('settings.update', { [key]: value });
        set({ settings });
        setFieldError(key, null);
        return true;
      } catch (error) {
        const { code, message } = toErrorPayload(error);
        if (code === ErrorCode.TransportClosed) return false;
        // The contract layer refuses with zod's wording; the same checks' plain sentence reads better, and
        // the host's own message stays for what only the host can know.
        const problem = fieldProblem(key, value);
        if (code === ErrorCode.InvalidInput) setFieldError(key, problem ? settingLabelProblem(key, problem) : message);
        else get().reportError(error);
        return false;
      }
    },

    async resetSetting(key) {
      await get().updateSetting(key, describeSetting(key).default);
    },

    async exportSettings() {
      const client = get().client;
      if (!client) return null;
      try {
        return (await client.call('settings.export', {})).json;
      } catch (error) {
        set({ importReport: null });
        get().reportError(new Error(unavailableMessage(error, 'Exporting settings')));
        return null;
      }
    },

    async importSettings(json, fileName) {
      const client = get().client;
      if (!client) return;
      const id = ++importSeq;
      try {
        const result = await client.call('settings.import', { json });
        const imported = JSON.parse(json) as Record<string, unknown>;
        // The field keeps its value, shown in red, with why the file's value was refused.
        const fieldErrors: Partial<Record<SettingKey, string>> = {};
        for (const { field, reason } of result.refused) {
          if (!(field in result.settings)) continue;
          const key = field as SettingKey;
          fieldErrors[key] = `Not imported: ${formatSettingValue(imported[field])} from ${fileName} (${describeSetting(key).label} ${reason}). It keeps ${formatSettingValue(result.settings[key])}.`;
        }
        set({ settings: result.settings, fieldErrors, importReport: { id, fileName, error: null, refused: result.refused } });
      } catch (error) {
        set({ importReport: { id, fileName, error: unavailableMessage(error, 'Importing settings'), refused: [] } });
      }
    },

    async loadSecrets() {
      const client = get().client;
      if (!client) return;
      try {
        set({ secrets: await client.call('secrets.getState', {}), secretsError: null });
      } catch (error) {
        set({ secrets: null, secretsError: unavailableMessage(error, 'Keeping secrets') });
      }
    },

    async setSecret(name, value) {
      const client = get().client;
      if (!client) return false;
      try {
        set({ secrets: await client.call('secrets.set', { name, value }), secretsError: null, secretsNotice: `${secretLabels[name] ?? name} saved.` });
        return true;
      } catch (error) {
        set({ secretsError: unavailableMessage(error, 'Keeping secrets'), secretsNotice: null });
        return false;
      }
    },

    async deleteSecret(name) {
      const client = get().client;
      if (!client) return;
      try {
        set({ secrets: await client.call('secrets.delete', { name }), secretsError: null, secretsNotice: `${secretLabels[name] ?? name} deleted.` });
      } catch (error) {
        set({ secretsError: unavailableMessage(error, 'Keeping secrets'), secretsNotice: null });
      }
    },
  };
}
