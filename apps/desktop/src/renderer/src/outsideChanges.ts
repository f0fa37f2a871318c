import { type ChangedOutside, type ModelsList, type SettingKey, type Settings, isSettingKey, settingsLayout } from '@assistant/core';
import type { StoreApi } from 'zustand';
import { formatSettingValue, plural } from './format';
import type { AssistantState } from './store';

/**
 * What the host announces on its own: settings changed in another window or by the CLI, models installed
 * or removed, and a notice when another process (the CLI) changed something the app now uses.
 */
export interface OutsideChangesSlice {
  /** The last such notice, until dismissed or replaced. */
  outsideNotice: { id: number; text: string } | null;

  onSettingsChanged(change: { settings: Settings; keys: string[]; external: boolean }): void;
  onModelsChanged(list: ModelsList): void;
  onChangedOutside(change: ChangedOutside): void;
  dismissOutsideNotice(): void;
}

type SetState = StoreApi<AssistantState>['setState'];
type GetState = StoreApi<AssistantState>['getState'];

let noticeSeq = 0;

/** "Passages per question is now 3; 1 document added; model installed: stories260k/stories260K". */
export function describeOutsideChange(change: ChangedOutside, settings: Settings | null): string {
  const parts: string[] = [];
  for (const key of change.settings) {
    const label = isSettingKey(key) ? settingsLayout[key].label : key;
    parts.push(settings && isSettingKey(key) ? `${label} is now ${formatSettingValue(settings[key])}` : `${label} changed`);
  }
  if (change.documentsAdded > 0) parts.push(`${plural(change.documentsAdded, 'document', 'documents')} added`);
  if (change.documentsRemoved > 0) parts.push(`${plural(change.documentsRemoved, 'document', 'documents')} removed`);
  if (change.modelsAdded.length > 0) parts.push(`${change.modelsAdded.length === 1 ? 'model' : 'models'} installed: ${change.modelsAdded.join(', ')}`);
  if (change.modelsRemoved.length > 0) parts.push(`${change.modelsRemoved.length === 1 ? 'model' : 'models'} removed: ${change.modelsRemoved.join(', ')}`);
  return parts.join('; ');
}

export function createOutsideChangesSlice(set: SetState, get: GetState): OutsideChangesSlice {
  return {
    outsideNotice: null,

    onSettingsChanged({ settings, keys }) {
      set((s) => {
        // A field's pending complaint is about a value that was just replaced.
        const fieldErrors = { ...s.fieldErrors };
        for (const key of keys) delete fieldErrors[key as SettingKey];
        return { settings, fieldErrors };
      });
    },

    onModelsChanged(list) {
      set({ models: list });
    },

    onChangedOutside(change) {
      const text = describeOutsideChange(change, get().settings);
      if (text) set({ outsideNotice: { id: ++noticeSeq, text } });
    },

    dismissOutsideNotice() {
      set({ outsideNotice: null });
    },
  };
}
