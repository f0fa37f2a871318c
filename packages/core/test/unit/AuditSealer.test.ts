import { describe, expect, it, vi } from 'vitest';
import type { AuditEvent } from '../../src/index.js';
import { type AuditKeychain, type AuditKeychainHead, silentLogger } from '../../src/node/index.js';
import { AuditSealer, type SealedLog, type Tip } from '../../src/node/audit/AuditSealer.js';

describe('AuditSealer', () => {
  it('a seal that throws is reported, settled still resolves, and the next burst seals', async () => {
    let stored: AuditKeychainHead | null = null;
    const keychain = { readHead: async () => stored, writeHead: async (head: AuditKeychainHead) => void (stored = head) } as unknown as AuditKeychain;
    let head: () => Tip | null = () => {
      throw new Error('The database connection is not open');
    };
    const notes: string[] = [];
    const log: SealedLog = {
      head: () => head(),
      makeDurable: async () => true,
      rowHash: () => 'h1',
      note: (summary) => {
        notes.push(summary);
        return {} as AuditEvent;
      },
    };
    const unhandled = vi.fn();
    process.on('unhandledRejection', unhandled);
    try {
      const sealer = new AuditSealer({ keychain, log, logger: silentLogger, now: Date.now, intervalMs: 0 });
      await expect(sealer.sealNow()).resolves.toBeUndefined();
      await expect(sealer.settled).resolves.toBeUndefined();
      expect(notes).toEqual([expect.stringContaining('The database connection is not open')]);

      head = () => ({ seq: 1, hash: 'h1' });
      await sealer.sealNow();
      expect(stored).toMatchObject({ seq: 1, hash: 'h1' });
      await new Promise((resolve) => setImmediate(resolve));
      expect(unhandled).not.toHaveBeenCalled();
    } finally {
      process.off('unhandledRejection', unhandled);
    }
  });
});
