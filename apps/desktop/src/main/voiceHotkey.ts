import type { Disposable } from '@assistant/core';
import type { Logger } from '@assistant/core/node';
import { type BrowserWindow, globalShortcut } from 'electron';
import { pushToTalkChannel } from '../shared/bridge.js';

/** The part of the host's SettingsStore the hotkey needs (structural, so tests can fake it). */
export interface HotkeySettings {
  get(): { voiceHotkey: string };
  onDidChange(listener: (change: { settings: { voiceHotkey: string } }) => void): Disposable;
}

export interface VoiceHotkeyOptions {
  settings: HotkeySettings;
  /** The window to talk to: the focused one, else the main window (the hotkey works from other apps too). */
  target(): BrowserWindow | null;
  logger: Logger;
}

/**
 * Registers the push-to-talk hotkey (settings.voiceHotkey) with globalShortcut and sends the renderer
 * `{ pressed }` on pushToTalkChannel. globalShortcut reports no key-up, so it is a toggle: the first press
 * starts a turn, the second ends it. A changed setting re-registers; a taken or invalid accelerator is
 * logged and the button keeps working.
 */
export function registerVoiceHotkey({ settings, target, logger }: VoiceHotkeyOptions): Disposable {
  let accelerator: string | null = null;
  let pressed = false;

  const send = () => {
    const window = target();
    if (!window || window.isDestroyed()) {
      pressed = false;
      return;
    }
    window.webContents.send(pushToTalkChannel, { pressed });
  };

  const register = (next: string) => {
    if (next === accelerator) return;
    if (accelerator) globalShortcut.unregister(accelerator);
    accelerator = null;
    if (pressed) {
      // The old key can no longer end the turn: end it now.
      pressed = false;
      send();
    }
    try {
      if (globalShortcut.register(next, () => {
        pressed = !pressed;
        send();
      })) accelerator = next;
      else logger.warn('push-to-talk hotkey is taken by another application', { accelerator: next });
    } catch (error) {
      logger.warn('push-to-talk hotkey is not a valid accelerator', { accelerator: next, error: String(error) });
    }
  };

  register(settings.get().voiceHotkey);
  const subscription = settings.onDidChange(({ settings: changed }) => register(changed.voiceHotkey));
  return {
    dispose() {
      subscription.dispose();
      if (accelerator) globalShortcut.unregister(accelerator);
      accelerator = null;
    },
  };
}
