import { z } from 'zod';
import type { InstalledModel, ModelKind } from './contract/schemas.js';
import { findInstalledModel } from './findInstalledModel.js';
import { type Settings, type SettingsGroup, modelReloadSettings, modelSettingKinds, reindexSettings, settingsLayout, settingsSchema } from './settings.js';

// Exported with the settings helpers: the package index exports this file.
export { findInstalledModel, modelPathType } from './findInstalledModel.js';

export type SettingKey = keyof Settings;
export type SettingKind = 'number' | 'integer' | 'boolean' | 'enum' | 'string' | 'text';
/** When a change takes effect: at once, when the host reloads the model, or for documents indexed from now on. */
export type SettingApplies = 'live' | 'reloadsModel' | 'reindex';

export interface SettingDescription {
  key: SettingKey;
  kind: SettingKind;
  /** Numbers: the range. Strings: null. */
  min: number | null;
  max: number | null;
  /** Strings: the length limits. */
  minLength: number | null;
  maxLength: number | null;
  /** Enums: the allowed values. */
  options: readonly string[] | null;
  /** A string format the schema checks (e.g. 'url'). */
  format: string | null;
  nullable: boolean;
  /** What an empty value means ("Automatic: …", "None: …"); null when the setting cannot be empty. */
  empty: string | null;
  default: Settings[SettingKey];
  help: string;
  label: string;
  group: SettingsGroup;
  applies: SettingApplies;
}

/** Plain words for when a change applies, shown next to the field. */
export const appliesNotes: Record<SettingApplies, string | null> = {
  live: null,
  reloadsModel: 'Reloads the model',
  reindex: 'Applies to documents added or re-indexed from now on',
};

/** Free text (no format) allowed to be longer than this gets a multi-line field. */
const textAreaFrom = 500;

export const settingKeys = Object.keys(settingsSchema.shape) as SettingKey[];

export function isSettingKey(key: string): key is SettingKey {
  return Object.prototype.hasOwnProperty.call(settingsSchema.shape, key);
}

/**
 * What the panel and the CLI need to know about one setting, read from the zod schema itself (type, range,
 * options, default, help), so the schema stays the one source of truth.
 */
export function describeSetting(key: SettingKey): SettingDescription {
  const field = settingsSchema.shape[key];
  let inner: z.ZodType = field;
  let nullable = false;
  let fallback: unknown = undefined;
  // Peel the wrappers (default, nullable, optional) down to the value's own type.
  for (;;) {
    if (inner instanceof z.ZodDefault) {
      fallback = inner.def.defaultValue;
      inner = inner.def.innerType as z.ZodType;
    } else if (inner instanceof z.ZodNullable) {
      nullable = true;
      inner = inner.def.innerType as z.ZodType;
    } else if (inner instanceof z.ZodOptional) {
      inner = inner.def.innerType as z.ZodType;
    } else break;
  }
  const base = { min: null, max: null, minLength: null, maxLength: null, options: null, format: null } satisfies Partial<SettingDescription>;
  let typed: Pick<SettingDescription, 'kind' | 'min' | 'max' | 'minLength' | 'maxLength' | 'options' | 'format'>;
  if (inner instanceof z.ZodNumber) {
    typed = { ...base, kind: inner.isInt ? 'integer' : 'number', min: finiteOrNull(inner.minValue), max: finiteOrNull(inner.maxValue) };
  } else if (inner instanceof z.ZodBoolean) {
    typed = { ...base, kind: 'boolean' };
  } else if (inner instanceof z.ZodEnum) {
    typed = { ...base, kind: 'enum', options: inner.options.map(String) };
  } else if (inner instanceof z.ZodString) {
    const maxLength = inner.maxLength;
    typed = { ...base, kind: inner.format === null && maxLength !== null && maxLength > textAreaFrom ? 'text' : 'string', minLength: inner.minLength, maxLength, format: inner.format };
  } else {
    throw new Error(`describeSetting: the schema of ${key} has a type the panel cannot show (${inner.def.type}).`);
  }
  const layout = settingsLayout[key];
  return {
    key,
    ...typed,
    nullable,
    empty: nullable && 'empty' in layout ? layout.empty : null,
    default: fallback as Settings[SettingKey],
    help: field.description ?? '',
    label: layout.label,
    group: layout.group,
    applies: (modelReloadSettings as readonly string[]).includes(key) ? 'reloadsModel' : (reindexSettings as readonly string[]).includes(key) ? 'reindex' : 'live',
  };
}

function finiteOrNull(value: number | null): number | null {
  return value !== null && Number.isFinite(value) ? value : null;
}

/** Why a value is refused for a setting, in plain words ("must be at most 2"), or null when it is valid. */
export function settingProblem(key: string, value: unknown): string | null {
  if (!isSettingKey(key)) return 'unknown setting';
  const result = settingsSchema.shape[key].safeParse(value);
  if (result.success) return null;
  return issueReason(key, result.error.issues[0]);
}

/** A refusal for people: the field's label, not its key ("Port must be at least 1024."). */
export function settingLabelProblem(key: string, problem: string): string {
  return isSettingKey(key) ? `${settingsLayout[key].label} ${problem}.` : `${key}: ${problem}.`;
}

/**
 * Rules between fields, checked on the settings a change would produce: a remote server cannot be used
 * without its URL. The refused field is the one the change set, so the other keeps its value.
 */
export function settingsConflict(next: Settings, changed: readonly SettingKey[]): { key: SettingKey; reason: string } | null {
  if (next.remoteUse !== 'off' && next.remoteBaseUrl === null) {
    const use = settingsLayout.remoteUse.label;
    const url = settingsLayout.remoteBaseUrl.label;
    return changed.includes('remoteUse') || !changed.includes('remoteBaseUrl')
      ? { key: 'remoteUse', reason: `needs a ${url} first: a remote server cannot be used without one` }
      : { key: 'remoteBaseUrl', reason: `cannot be empty while a remote server is used (set "${use}" to Off first)` };
  }
  return null;
}

const modelKindWords = { chat: 'chat model', embedding: 'embedding model', stt: 'speech-to-text model', tts: 'Piper voice' } as const;

/**
 * Why a model setting names no installed model of its kind, or null (also for other settings and empty
 * values). `isPath` lets the host accept a path it found to be of the right type (a GGUF file for chat and
 * embedding, a folder for voice models); elsewhere only names are known.
 */
export function modelSettingProblem(key: string, value: unknown, installed: readonly InstalledModel[], isPath?: (value: string, kind: ModelKind) => boolean): string | null {
  if (!(key in modelSettingKinds) || typeof value !== 'string') return null;
  const kind = modelSettingKinds[key as keyof typeof modelSettingKinds];
  if (findInstalledModel(installed, kind, value) || isPath?.(value, kind)) return null;
  const names = installed.filter((model) => model.kinds.includes(kind)).map((model) => model.name);
  return `"${value}" is not an installed ${modelKindWords[kind]} (${names.length > 0 ? `installed: ${names.join(', ')}` : 'none is installed'})`;
}

function lowerFirst(text: string): string {
  return text.charAt(0).toLowerCase() + text.slice(1);
}

function issueReason(key: SettingKey, issue: z.core.$ZodIssue | undefined): string {
  if (!issue) return 'invalid value';
  const info = describeSetting(key);
  const orNull = info.nullable ? ' or empty' : '';
  switch (issue.code) {
    case 'too_big':
      return issue.origin === 'string' ? `must be at most ${issue.maximum} characters` : `must be at most ${issue.maximum}`;
    case 'too_small':
      if (issue.origin === 'string') return Number(issue.minimum) <= 1 ? `must not be empty${info.empty ? ` (clear it instead: ${lowerFirst(info.empty)})` : ''}` : `must be at least ${issue.minimum} characters`;
      return `must be at least ${issue.minimum}`;
    case 'invalid_type':
      if (info.kind === 'integer') return `must be a whole number${orNull}`;
      if (info.kind === 'number') return `must be a number${orNull}`;
      if (info.kind === 'boolean') return 'must be true or false';
      return `must be text${orNull}`;
    case 'invalid_value':
      return `must be one of ${issue.values.map(String).join(', ')}`;
    case 'invalid_format':
      return issue.format === 'url' ? 'must be a URL such as https://example.org/v1' : `must be a valid ${issue.format}`;
    default:
      return issue.message;
  }
}

/**
 * A value typed as text (the CLI's `settings set KEY VALUE`, a text field) read as the setting's kind:
 * numbers and booleans are parsed, `null` (or empty) clears a nullable setting. What cannot be read is
 * returned as is, so validation names the problem.
 */
export function parseSettingText(key: SettingKey, text: string): unknown {
  const info = describeSetting(key);
  const trimmed = text.trim();
  if (info.nullable && (trimmed === '' || trimmed === 'null')) return null;
  if (info.kind === 'number' || info.kind === 'integer') {
    const number = trimmed === '' ? Number.NaN : Number(trimmed);
    return Number.isFinite(number) ? number : text;
  }
  if (info.kind === 'boolean') {
    const lower = trimmed.toLowerCase();
    if (['true', 'on', 'yes', '1'].includes(lower)) return true;
    if (['false', 'off', 'no', '0'].includes(lower)) return false;
    return text;
  }
  return text;
}
