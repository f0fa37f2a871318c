import { createHash } from 'node:crypto';
import path from 'node:path';

/**
 * A short, stable id of a profile (its ASSISTANT_HOME), so two profiles on one account keep separate
 * secrets in the one OS keychain. A hash rather than the path: keychain UIs show the account name.
 */
export function profileId(home: string): string {
  return createHash('sha256').update(path.resolve(home)).digest('hex').slice(0, 16);
}
