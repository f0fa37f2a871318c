/**
 * Choices this browser or window remembers for itself (sidebar width, read aloud…), not app settings:
 * they are about this screen, and a second window may want its own. Storage may be disabled (private
 * windows, policies): then a choice lasts the session.
 */
const prefix = 'assistant.';

/** The stored value if `valid` accepts it, else `fallback`. */
export function readPreference<T>(name: string, fallback: T, valid: (value: unknown) => value is T): T {
  try {
    const raw = localStorage.getItem(prefix + name);
    if (raw === null) return fallback;
    const value: unknown = JSON.parse(raw);
    return valid(value) ? value : fallback;
  } catch {
    return fallback;
  }
}

/** null forgets the choice. */
export function writePreference(name: string, value: unknown): void {
  try {
    if (value === null) localStorage.removeItem(prefix + name);
    else localStorage.setItem(prefix + name, JSON.stringify(value));
  } catch {
    // Storage disabled: the choice lasts this session.
  }
}

export const isBoolean = (value: unknown): value is boolean => typeof value === 'boolean';
export const isNumber = (value: unknown): value is number => typeof value === 'number' && Number.isFinite(value);
export const isString = (value: unknown): value is string => typeof value === 'string';
