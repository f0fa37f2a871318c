import type { Database } from 'better-sqlite3';
import { Emitter } from '../../common/disposable.js';
import { AssistantError, ErrorCode } from '../../common/errors.js';
import { type Settings, type SettingsPatch, defaultSettings, settingsPatchSchema, settingsSchema } from '../../common/settings.js';
import { settingProblem } from '../../common/describeSetting.js';
import type { Logger } from '../logger.js';

type Key = keyof Settings;
const keys = Object.keys(settingsSchema.shape) as Key[];

/** Settings in SQLite, one row per key; validated per field so one bad value never resets the rest. */
export class SettingsStore {
  private current: Settings;
  private readonly changed = new Emitter<{ settings: Settings; keys: Key[] }>();
  readonly onDidChange = this.changed.event;

  constructor(
    private readonly db: Database,
    private readonly logger: Logger,
  ) {
    this.current = this.load();
  }

  get(): Settings {
    return { ...this.current };
  }

  update(patch: SettingsPatch): Settings {
    // Field by field first, so the message names the field and says why in plain words.
    for (const [key, value] of Object.entries(patch)) {
      if (value === undefined) continue;
      const problem = settingProblem(key, value);
      if (problem) throw new AssistantError(ErrorCode.InvalidInput, `Invalid setting ${key}: ${problem}.`);
    }
    const parsed = settingsPatchSchema.safeParse(patch);
    if (!parsed.success) {
      const issue = parsed.error.issues[0];
      throw new AssistantError(ErrorCode.InvalidInput, `Invalid setting ${issue?.path.join('.') || ''}: ${issue?.message ?? 'invalid value'}.`);
    }
    const changedKeys = (Object.keys(parsed.data) as Key[]).filter((key) => parsed.data[key] !== undefined && parsed.data[key] !== this.current[key]);
    if (changedKeys.length === 0) return this.get();
    const upsert = this.db.prepare(`INSERT INTO settings (key, value) VALUES (?, ?) ON CONFLICT(key) DO UPDATE SET value = excluded.value`);
    this.db.transaction(() => {
      for (const key of changedKeys) upsert.run(key, JSON.stringify(parsed.data[key]));
    })();
    this.current = { ...this.current, ...parsed.data };
    this.changed.fire({ settings: this.get(), keys: changedKeys });
    return this.get();
  }

  /** Every setting as pretty JSON (secrets are not settings, so none can leak into the file). */
  exportJson(): string {
    return `${JSON.stringify(this.current, null, 2)}\n`;
  }

  /**
   * Applies a settings file field by field: unknown keys and invalid values are refused with the reason
   * and keep their current value, the rest is applied in one update.
   */
  importJson(text: string): { settings: Settings; refused: { field: string; reason: string }[] } {
    let data: unknown;
    try {
      data = JSON.parse(text);
    } catch (error) {
      const detail = error instanceof Error ? error.message : String(error);
      throw new AssistantError(ErrorCode.InvalidInput, `The settings file is not valid JSON (${detail}).`);
    }
    if (typeof data !== 'object' || data === null || Array.isArray(data)) {
      throw new AssistantError(ErrorCode.InvalidInput, 'The settings file must hold one JSON object of settings, like the one Export writes.');
    }
    const patch: Record<string, unknown> = {};
    const refused: { field: string; reason: string }[] = [];
    for (const [field, value] of Object.entries(data)) {
      const problem = settingProblem(field, value);
      if (problem) refused.push({ field, reason: problem });
      else patch[field] = value;
    }
    for (const { field, reason } of refused) this.logger.warn(`Imported setting ${field} was refused (${reason}); it keeps its current value.`);
    return { settings: this.update(patch as SettingsPatch), refused };
  }

  private load(): Settings {
    const rows = this.db.prepare(`SELECT key, value FROM settings`).all() as { key: string; value: string }[];
    const loaded: Record<string, unknown> = { ...defaultSettings };
    for (const { key, value } of rows) {
      if (!keys.includes(key as Key)) continue;
      const field = settingsSchema.shape[key as Key];
      let parsedValue: unknown;
      try {
        parsedValue = JSON.parse(value);
      } catch {
        this.logger.warn(`Setting ${key} is not valid JSON; using its default.`);
        continue;
      }
      const result = field.safeParse(parsedValue);
      if (result.success) loaded[key] = result.data;
      else this.logger.warn(`Stored setting ${key} is invalid (${settingProblem(key, parsedValue) ?? 'invalid value'}); using its default, ${JSON.stringify(defaultSettings[key as Key])}.`);
    }
    return loaded as Settings;
  }
}
