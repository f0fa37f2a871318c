import type { Conversation } from '@assistant/core';
import { describe, expect, it } from 'vitest';
import { dayLabel, groupByDay, shortDate } from '../../src/renderer/src/conversationGroups.js';

// Local times, so the test holds in any time zone.
const now = new Date(2025, 5, 18, 9, 30).getTime();
const at = (month: number, day: number, hour = 12) => new Date(2025, month, day, hour).getTime();
const conversation = (id: string, updatedAt: number): Conversation => ({ id, title: id, createdAt: updatedAt, updatedAt, messageCount: 1 });

describe('conversation groups', () => {
  it('labels today, yesterday, the previous 7 days, then months', () => {
    expect(dayLabel(new Date(2025, 5, 18, 0, 1).getTime(), now, 'en-US')).toBe('Today');
    expect(dayLabel(new Date(2025, 5, 17, 23, 59).getTime(), now, 'en-US')).toBe('Yesterday');
    expect(dayLabel(at(5, 11), now, 'en-US')).toBe('Previous 7 days');
    expect(dayLabel(at(5, 10), now, 'en-US')).toBe('June 2025');
    expect(dayLabel(at(2, 3), now, 'en-US')).toBe('March 2025');
    // A clock set back: a date in the future still counts as today.
    expect(dayLabel(at(5, 19), now, 'en-US')).toBe('Today');
  });

  it('groups a newest-first list in order, one heading per run', () => {
    const list = [conversation('a', at(5, 18, 9)), conversation('b', at(5, 18, 8)), conversation('c', at(5, 17)), conversation('d', at(5, 14)), conversation('e', at(5, 2)), conversation('f', at(4, 30)), conversation('g', at(4, 2))];
    expect(groupByDay(list, now, 'en-US').map((group) => [group.label, group.conversations.map((c) => c.id).join('')])).toEqual([
      ['Today', 'ab'],
      ['Yesterday', 'c'],
      ['Previous 7 days', 'd'],
      ['June 2025', 'e'],
      ['May 2025', 'fg'],
    ]);
    expect(groupByDay([], now)).toEqual([]);
  });

  it('dates a row by time today, weekday this week, day and month this year, with the year before', () => {
    expect(shortDate(new Date(2025, 5, 18, 8, 5).getTime(), now, 'en-GB')).toBe('8:05');
    expect(shortDate(at(5, 14), now, 'en-GB')).toBe('Sat');
    expect(shortDate(at(2, 3), now, 'en-GB')).toBe('3 Mar');
    expect(shortDate(new Date(2024, 11, 24).getTime(), now, 'en-GB')).toBe('24 Dec 2024');
  });
});
