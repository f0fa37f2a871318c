/** Display helpers shared by components. */

export function formatBytes(bytes: number): string {
  if (bytes >= 1e9) return `${(bytes / 1e9).toFixed(1)} GB`;
  if (bytes >= 1e7) return `${Math.round(bytes / 1e6)} MB`;
  // Small models and the first seconds of a download: a decimal, so the numbers visibly move.
  if (bytes >= 1e5) return `${(bytes / 1e6).toFixed(1)} MB`;
  if (bytes > 0) return `${Math.max(1, Math.round(bytes / 1e3))} kB`;
  return '0 MB';
}

/** Whole percent done, or null when the total is unknown (0). Never 100 before the last byte. */
export function percentDone(received: number, total: number): number | null {
  if (total <= 0) return null;
  return Math.min(100, Math.floor((received / total) * 100));
}

/** "312 MB of 1.1 GB · 28%", or "312 MB downloaded" when the server did not say how much there is. */
export function formatProgress(received: number, total: number): string {
  const percent = percentDone(received, total);
  return percent === null ? `${formatBytes(received)} downloaded` : `${formatBytes(received)} of ${formatBytes(total)} · ${percent}%`;
}

export function formatTime(epochMs: number): string {
  return new Date(epochMs).toLocaleTimeString();
}

/** What a setting's choices are called on screen (the schema's values are identifiers). */
export const optionLabels: Record<string, string> = {
  pushToTalk: 'Push to talk',
  handsFree: 'Hands-free',
  auto: 'Auto',
  on: 'On',
  off: 'Off',
  events: 'Events only',
  eventsAndText: 'Events and conversation text',
  chat: 'Chat',
  embeddings: 'Embeddings',
  both: 'Chat and embeddings',
};

/** A setting's value for people: "empty", on/off, a choice by its label, long text cut. */
export function formatSettingValue(value: unknown): string {
  if (value === null || value === undefined) return 'empty';
  if (typeof value === 'boolean') return value ? 'on' : 'off';
  if (typeof value === 'string' && optionLabels[value]) return optionLabels[value];
  const text = typeof value === 'string' || typeof value === 'number' ? String(value) : JSON.stringify(value);
  return text.length > 40 ? `${text.slice(0, 39)}…` : text;
}

/** The one pluralisation helper (shared with the host and the command line). */
export { plural } from '@assistant/core';
