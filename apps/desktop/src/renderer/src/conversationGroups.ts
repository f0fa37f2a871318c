import type { Conversation } from '@assistant/core';

/** A run of conversations under one heading of the sidebar. */
export interface ConversationGroup {
  label: string;
  conversations: Conversation[];
}

const dayMs = 24 * 60 * 60 * 1000;

/** Local midnight at the start of the day of `epochMs`. */
function startOfDay(epochMs: number): number {
  const date = new Date(epochMs);
  date.setHours(0, 0, 0, 0);
  return date.getTime();
}

/** Whole calendar days between two instants, in local time (0: the same day). */
function daysBetween(earlier: number, later: number): number {
  // Rounded: a day with a daylight-saving change is 23 or 25 hours long.
  return Math.round((startOfDay(later) - startOfDay(earlier)) / dayMs);
}

/** "Today", "Yesterday", "Previous 7 days", then "March 2025"-style months, by last activity. */
export function dayLabel(epochMs: number, now: number, locale?: string): string {
  const days = daysBetween(epochMs, now);
  if (days <= 0) return 'Today';
  if (days === 1) return 'Yesterday';
  if (days <= 7) return 'Previous 7 days';
  return new Date(epochMs).toLocaleDateString(locale, { month: 'long', year: 'numeric' });
}

/** Groups a newest-first list without reordering it. */
export function groupByDay(conversations: readonly Conversation[], now: number, locale?: string): ConversationGroup[] {
  const groups: ConversationGroup[] = [];
  for (const conversation of conversations) {
    const label = dayLabel(conversation.updatedAt, now, locale);
    const last = groups.at(-1);
    if (last?.label === label) last.conversations.push(conversation);
    else groups.push({ label, conversations: [conversation] });
  }
  return groups;
}

/** The short date beside a title: the time today and yesterday, the weekday this week, else the date. */
export function shortDate(epochMs: number, now: number, locale?: string): string {
  const date = new Date(epochMs);
  const days = daysBetween(epochMs, now);
  if (days <= 1) return date.toLocaleTimeString(locale, { hour: 'numeric', minute: '2-digit' });
  if (days <= 7) return date.toLocaleDateString(locale, { weekday: 'short' });
  const sameYear = date.getFullYear() === new Date(now).getFullYear();
  return date.toLocaleDateString(locale, sameYear ? { day: 'numeric', month: 'short' } : { day: 'numeric', month: 'short', year: 'numeric' });
}

/** The full date and time, for the tooltip and screen readers. */
export function fullDate(epochMs: number, locale?: string): string {
  return new Date(epochMs).toLocaleString(locale, { dateStyle: 'full', timeStyle: 'short' });
}
