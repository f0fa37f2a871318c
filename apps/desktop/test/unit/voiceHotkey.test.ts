import type { Logger } from '@assistant/core/node';
import type { BrowserWindow } from 'electron';
import { beforeEach, describe, expect, it, vi } from 'vitest';
import { pushToTalkChannel } from '../../src/shared/bridge.js';
import { registerVoiceHotkey } from '../../src/main/voiceHotkey.js';

// globalShortcut keeps its callbacks here, so a test can press the key; 'Taken+Key' plays another app's shortcut.
const fake = vi.hoisted(() => ({ shortcuts: new Map<string, () => void>() }));

vi.mock('electron', () => ({
  globalShortcut: {
    register: (accelerator: string, callback: () => void) => {
      if (accelerator === 'Not an accelerator') throw new Error('conversion failure');
      if (accelerator === 'Taken+Key') return false;
      fake.shortcuts.set(accelerator, callback);
      return true;
    },
    unregister: (accelerator: string) => fake.shortcuts.delete(accelerator),
  },
}));

const newLogger = (): Logger => ({ debug: vi.fn(), info: vi.fn(), warn: vi.fn(), error: vi.fn() });

function fakeSettings(voiceHotkey: string) {
  let listener: ((change: { settings: { voiceHotkey: string } }) => void) | null = null;
  return {
    get: () => ({ voiceHotkey }),
    onDidChange: (next: typeof listener) => {
      listener = next;
      return { dispose: () => (listener = null) };
    },
    change: (hotkey: string) => listener?.({ settings: { voiceHotkey: hotkey } }),
    get subscribed() {
      return listener !== null;
    },
  };
}

function fakeWindow() {
  const send = vi.fn();
  return { window: { isDestroyed: () => false, webContents: { send } } as unknown as BrowserWindow, send };
}

const press = (accelerator: string) => fake.shortcuts.get(accelerator)!();

describe('registerVoiceHotkey', () => {
  beforeEach(() => fake.shortcuts.clear());

  it('toggles: the first press starts a turn, the second ends it', () => {
    const { window, send } = fakeWindow();
    registerVoiceHotkey({ settings: fakeSettings('CommandOrControl+Shift+Space'), target: () => window, logger: newLogger() });
    press('CommandOrControl+Shift+Space');
    press('CommandOrControl+Shift+Space');
    expect(send.mock.calls).toEqual([
      [pushToTalkChannel, { pressed: true }],
      [pushToTalkChannel, { pressed: false }],
    ]);
  });

  it('re-registers when the setting changes, ending a turn the old key started', () => {
    const { window, send } = fakeWindow();
    const settings = fakeSettings('F9');
    registerVoiceHotkey({ settings, target: () => window, logger: newLogger() });
    press('F9');
    settings.change('F10');
    expect([...fake.shortcuts.keys()]).toEqual(['F10']);
    expect(send.mock.calls.at(-1)).toEqual([pushToTalkChannel, { pressed: false }]);
    press('F10');
    expect(send.mock.calls.at(-1)).toEqual([pushToTalkChannel, { pressed: true }]);
  });

  it('logs a taken or invalid accelerator instead of throwing', () => {
    const logger = newLogger();
    const settings = fakeSettings('Taken+Key');
    registerVoiceHotkey({ settings, target: () => null, logger });
    expect(logger.warn).toHaveBeenCalledWith('push-to-talk hotkey is taken by another application', { accelerator: 'Taken+Key' });
    settings.change('Not an accelerator');
    expect(logger.warn).toHaveBeenCalledWith('push-to-talk hotkey is not a valid accelerator', expect.objectContaining({ accelerator: 'Not an accelerator' }));
    expect(fake.shortcuts.size).toBe(0);
  });

  it('with no window, a press does not leave a turn open', () => {
    const { window, send } = fakeWindow();
    let target: BrowserWindow | null = null;
    registerVoiceHotkey({ settings: fakeSettings('F9'), target: () => target, logger: newLogger() });
    press('F9');
    target = window;
    press('F9');
    expect(send.mock.calls).toEqual([[pushToTalkChannel, { pressed: true }]]);
  });

  it('dispose unregisters the shortcut and stops following the setting', () => {
    const settings = fakeSettings('F9');
    const hotkey = registerVoiceHotkey({ settings, target: () => null, logger: newLogger() });
    hotkey.dispose();
    expect(fake.shortcuts.size).toBe(0);
    expect(settings.subscribed).toBe(false);
  });
});
