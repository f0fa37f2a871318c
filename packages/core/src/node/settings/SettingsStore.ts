import type { Database } from 'better-sqlite3';
import { Emitter } from '../../common/disposable.js';
import { AssistantError, ErrorCode } from '../../common/errors.js';
import { type Settings, type SettingsPatch, defaultSettings, settingsPatchSchema, settingsSchema } from '../../common/settings.js';
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
      else this.logger.warn(`Setting ${key} is invalid (${result.error.issues[0]?.message}); using its default.`);
    }
    return loaded as Settings;
  }
}
