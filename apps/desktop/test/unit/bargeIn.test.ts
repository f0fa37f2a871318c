import { describe, expect, it } from 'vitest';
import { bargeInActive, microphoneMuted } from '../../src/renderer/src/voice/voiceRules.js';

describe('barge-in and the microphone while the assistant speaks', () => {
  it('by default (auto), talking over the assistant interrupts it only where the browser cancels echo', () => {
    expect(bargeInActive('auto', true)).toBe(true);
    expect(bargeInActive('auto', false)).toBe(false);
    expect(bargeInActive('on', false)).toBe(true);
    expect(bargeInActive('off', true)).toBe(false);
  });

  it('without echo cancellation the microphone is muted while it speaks, and live again after', () => {
    expect(microphoneMuted(true, 'auto', false)).toBe(true);
    expect(microphoneMuted(false, 'auto', false)).toBe(false);
    // With echo cancellation (or barge-in forced on) it stays live, so speech can interrupt.
    expect(microphoneMuted(true, 'auto', true)).toBe(false);
    expect(microphoneMuted(true, 'on', false)).toBe(false);
    expect(microphoneMuted(true, 'off', true)).toBe(true);
  });
});
