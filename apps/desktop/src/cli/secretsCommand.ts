import { AssistantError, ErrorCode, escapeForTerminal, secretNameSchema } from '@assistant/core';
import { createNodeHost } from '../node/createNodeHost.js';
import { connectInMemory } from './connectInMemory.js';
import type { CliIo } from './main.js';

const usage = 'secrets set NAME (value on stdin) | secrets delete NAME | secrets list [--json]';

/**
 * `secrets set|delete|list`: through the host's contract like the Settings panel, so a change is audited
 * the same way. There is no `get`: a secret is read only by the host itself.
 */
export async function secretsCommand(args: string[], options: { json: boolean; stdin?: NodeJS.ReadableStream }, io: CliIo): Promise<number> {
  const [action, name, ...extra] = args;
  if (action !== 'set' && action !== 'delete' && action !== 'list') throw new AssistantError(ErrorCode.InvalidInput, `Usage: npm run assistant -- ${usage}`);
  if (action === 'set' && extra.length > 0) {
    throw new AssistantError(ErrorCode.InvalidInput, 'secrets set takes the value on stdin, not as an argument: arguments are visible to other users in the process list and are kept in your shell history. Type it when asked, or pipe it: printf %s "$KEY" | npm run assistant -- secrets set NAME');
  }
  if (action !== 'list') {
    if (!name) throw new AssistantError(ErrorCode.InvalidInput, `secrets ${action} needs a name, e.g. npm run assistant -- secrets ${action} remoteApiKey`);
    const parsed = secretNameSchema.safeParse(name);
    if (!parsed.success) throw new AssistantError(ErrorCode.InvalidInput, `"${name}" is not a valid secret name: ${parsed.error.issues[0]?.message ?? 'invalid'}.`);
  }
  // Read the value before starting the host, so a prompt is not interleaved with startup work.
  const value = action === 'set' ? await readSecret(name as string, options.stdin ?? process.stdin, io) : null;
  if (action === 'set' && value === null) return 130;
  if (action === 'set' && !value) throw new AssistantError(ErrorCode.InvalidInput, 'The value is empty: nothing was saved.');

  const host = await createNodeHost({ logLevel: (process.env.ASSISTANT_LOG_LEVEL as 'debug' | undefined) ?? 'error' });
  const client = connectInMemory(host);
  try {
    const before = await client.call('secrets.getState', {});
    if (action === 'list') {
      if (options.json) io.stdout.write(`${JSON.stringify(before, null, 2)}\n`);
      else {
        io.stdout.write(`backend: ${before.backend}${before.reason ? ` (${before.reason})` : ''}\n`);
        for (const secret of before.names) io.stdout.write(`  ${escapeForTerminal(secret)}\n`);
        if (before.backend !== 'unavailable' && before.names.length === 0) io.stdout.write('  (no secrets set)\n');
      }
      if (before.backend === 'unavailable') {
        io.stderr.write(`Secrets cannot be stored: ${before.reason ?? 'no keychain'}.\n`);
        return 1;
      }
      return 0;
    }
    if (action === 'set') {
      const replaced = before.names.includes(name as string);
      const after = await client.call('secrets.set', { name: name as string, value: value as string });
      io.stdout.write(`${replaced ? 'Replaced' : 'Saved'} ${name} (${after.backend}).\n`);
      return 0;
    }
    if (!before.names.includes(name as string)) {
      io.stdout.write(`${name} was not set: nothing to delete.\n`);
      return 0;
    }
    await client.call('secrets.delete', { name: name as string });
    io.stdout.write(`Deleted ${name}.\n`);
    return 0;
  } finally {
    client.dispose();
    await host.dispose();
  }
}

/** Piped: all of stdin minus one trailing newline. A terminal: typed with echo off; null on Ctrl+C. */
function readSecret(name: string, stdin: NodeJS.ReadableStream, io: CliIo): Promise<string | null> {
  const tty = stdin as NodeJS.ReadStream;
  if (!tty.isTTY) {
    return new Promise((resolve, reject) => {
      const chunks: Buffer[] = [];
      stdin.on('data', (chunk: Buffer | string) => chunks.push(Buffer.from(chunk)));
      stdin.on('error', reject);
      stdin.on('end', () => resolve(Buffer.concat(chunks).toString('utf8').replace(/\r?\n$/, '')));
    });
  }
  io.stderr.write(`Value for ${name} (typing is not shown; Enter to save, Ctrl+C to cancel): `);
  return new Promise((resolve) => {
    let value = '';
    tty.setRawMode(true);
    tty.resume();
    tty.setEncoding('utf8');
    const finish = (result: string | null) => {
      tty.setRawMode(false);
      tty.pause();
      tty.off('data', onData);
      io.stderr.write('\n');
      resolve(result);
    };
    const onData = (text: string) => {
      for (const char of text) {
        if (char === '\r' || char === '\n' || char === '\u0004') return finish(value);
        if (char === '\u0003') return finish(null);
        if (char === '\u007f' || char === '\b') value = value.slice(0, -1);
        else value += char;
      }
    };
    tty.on('data', onData);
  });
}
