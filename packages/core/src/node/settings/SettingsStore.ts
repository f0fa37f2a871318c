import type { Database } from 'better-sqlite3';
import { Emitter } from '../../common/disposable.js';
import { AssistantError, ErrorCode } from '../../common/errors.js';
import { type Settings, type SettingsPatch, defaultSettings, settingsPatchSchema, settingsSchema } from '../../common/settings.js';
import { settingProblem, settingsConflict } from '../../common/describeSetting.js';
import type { Logger } from '../logger.js';

type Key = keyof Settings;
const keys = Object.keys(settingsSchema.shape) as Key[];

/** Settings in SQLite, one row per key; validated per field so one bad value never resets the rest. */
export class SettingsStore {
  private current: Settings;
  /** `external`: another process (the CLI) wrote them and `reload` read them back. */
  private readonly changed = new Emitter<{ settings: Settings; keys: Key[]; external: boolean }>();
  readonly onDidChange = this.changed.event;
  private check: (key: Key, value: unknown) => string | null = () => null;

  constructor(
    private readonly db: Database,
    private readonly logger: Logger,
  ) {
    this.current = this.load();
  }

  get(): Settings {
    return { ...this.current };
  }

  /** What only the host knows (which models are installed): a new value it refuses is refused like a schema error. */
  useCheck(check: (key: Key, value: unknown) => string | null): void {
    this.check = check;
  }

  update(patch: SettingsPatch): Settings {
    // Field by field first, so the message names the field and says why in plain words.
    for (const [key, value] of Object.entries(patch)) {
      if (value === undefined) continue;
      const problem = this.problem(key, value);
      if (problem) throw new AssistantError(ErrorCode.InvalidInput, `Invalid setting ${key}: ${problem}.`);
    }
    const parsed = settingsPatchSchema.safeParse(patch);
    if (!parsed.success) {
      const issue = parsed.error.issues[0];
      throw new AssistantError(ErrorCode.InvalidInput, `Invalid setting ${issue?.path.join('.') || ''}: ${issue?.message ?? 'invalid value'}.`);
    }
    const changedKeys = (Object.keys(parsed.data) as Key[]).filter((key) => parsed.data[key] !== undefined && parsed.data[key] !== this.current[key]);
    if (changedKeys.length === 0) return this.get();
    const conflict = settingsConflict({ ...this.current, ...parsed.data }, changedKeys);
    if (conflict) throw new AssistantError(ErrorCode.InvalidInput, `Invalid setting ${conflict.key}: ${conflict.reason}.`);
    const upsert = this.db.prepare(`INSERT INTO settings (key, value) VALUES (?, ?) ON CONFLICT(key) DO UPDATE SET value = excluded.value`);
    this.db.transaction(() => {
      for (const key of changedKeys) upsert.run(key, JSON.stringify(parsed.data[key]));
    })();
    this.current = { ...this.current, ...parsed.data };
    this.changed.fire({ settings: this.get(), keys: changedKeys, external: false });
    return this.get();
  }

  /** Reads the settings again after another process (the CLI) wrote them; returns the keys that changed. */
  reload(): Key[] {
    const next = this.load();
    const changedKeys = keys.filter((key) => JSON.stringify(next[key]) !== JSON.stringify(this.current[key]));
    if (changedKeys.length === 0) return [];
    this.current = next;
    this.changed.fire({ settings: this.get(), keys: changedKeys, external: true });
    return changedKeys;
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
      const problem = this.problem(field, value);
      if (problem) refused.push({ field, reason: problem });
      else patch[field] = value;
    }
    // A rule between fields refuses the field the file set; the rest still applies.
    for (let conflict = this.conflictOf(patch); conflict; conflict = this.conflictOf(patch)) {
      refused.push({ field: conflict.key, reason: conflict.reason });
      delete patch[conflict.key];
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
    const conflict = settingsConflict(loaded as Settings, []);
    if (conflict?.key === 'remoteUse') {
      this.logger.warn(`Stored setting remoteUse is ${JSON.stringify(loaded.remoteUse)} without a remoteBaseUrl; using off.`);
      loaded.remoteUse = 'off';
    }
    return loaded as Settings;
  }

  /** The schema's objection, else the host's (for a value other than the current one). */
  private problem(key: string, value: unknown): string | null {
    return settingProblem(key, value) ?? (value === this.current[key as Key] ? null : this.check(key as Key, value));
  }

  private conflictOf(patch: Record<string, unknown>): { key: Key; reason: string } | null {
    const changedKeys = (Object.keys(patch) as Key[]).filter((key) => patch[key] !== this.current[key]);
    return changedKeys.length === 0 ? null : settingsConflict({ ...this.current, ...patch } as Settings, changedKeys);
  }
}
