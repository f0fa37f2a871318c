import path from 'node:path';
import { AssistantError, type AuditEvent, type AuditKind, ErrorCode, auditKindSchema, escapeForTerminal, plural } from '@assistant/core';
import { AuditLog, type LogLevel, createSecretStore, createStderrLogger, openDatabase, resolveAppPaths } from '@assistant/core/node';
import type { CliIo } from './main.js';

export interface AuditCommandOptions {
  json: boolean;
  kind?: string[];
  since?: string;
  limit?: string;
}

const actions = 'list, verify or export FILE';

/**
 * `audit list|verify|export`: reads the profile database directly rather than through a host, so inspecting
 * the log neither starts workers nor adds rows of its own (app start and stop) to what it inspects.
 */
export async function auditCommand(args: string[], options: AuditCommandOptions, io: CliIo): Promise<number> {
  const [action, file] = args;
  if (action !== 'list' && action !== 'verify' && action !== 'export') {
    throw new AssistantError(ErrorCode.InvalidInput, `audit needs an action: ${actions}, e.g. npm run assistant -- audit verify`);
  }
  if (action === 'export' && !file) throw new AssistantError(ErrorCode.InvalidInput, 'audit export needs a file, e.g. npm run assistant -- audit export audit.jsonl');
  const query = action === 'list' ? parseQuery(options) : null;
  const logger = createStderrLogger((process.env.ASSISTANT_LOG_LEVEL as LogLevel | undefined) ?? 'error', 'cli');
  const paths = resolveAppPaths();
  const db = openDatabase({ file: paths.database });
  // verify checks the rows' signatures and the log's end against the keychain; list and export do not need it.
  const secrets = action === 'verify' ? await createSecretStore({ home: paths.home }) : null;
  const audit = await AuditLog.open(db, { logger, secrets, readOnly: true });
  try {
    switch (action) {
      case 'verify': {
        const result = await audit.verify();
        if (options.json) io.stdout.write(`${JSON.stringify(result)}\n`);
        else (result.ok ? io.stdout : io.stderr).write(`${result.message}\n`);
        return result.ok ? 0 : 1;
      }
      case 'export': {
        const target = path.resolve(file!);
        const count = await audit.export(target);
        io.stdout.write(`${plural(count, 'audit row')} written to ${target} (one JSON object per line).\n`);
        return 0;
      }
      case 'list': {
        // The newest N, printed oldest first like any log.
        const events = audit.list(query!).reverse();
        if (options.json) {
          for (const event of events) io.stdout.write(`${JSON.stringify(event)}\n`);
          return 0;
        }
        if (events.length === 0) io.stdout.write('No audit events match.\n');
        for (const event of events) io.stdout.write(`${escapeForTerminal(formatEvent(event))}\n`);
        return 0;
      }
    }
  } finally {
    audit.dispose();
    db.close();
  }
}

function parseQuery(options: AuditCommandOptions): { kinds?: AuditKind[]; since?: number; limit: number } {
  const kinds = options.kind?.flatMap((kind) => kind.split(',')).filter(Boolean);
  for (const kind of kinds ?? []) {
    if (!auditKindSchema.safeParse(kind).success) throw new AssistantError(ErrorCode.InvalidInput, `--kind must be one of ${auditKindSchema.options.join(', ')}, not "${kind}".`);
  }
  let since: number | undefined;
  if (options.since !== undefined) {
    since = Date.parse(options.since);
    if (Number.isNaN(since)) throw new AssistantError(ErrorCode.InvalidInput, `--since must be a date and time like 2025-01-31 or 2025-01-31T14:00:00Z, not "${options.since}".`);
  }
  const limit = options.limit === undefined ? 50 : Number(options.limit);
  if (!Number.isInteger(limit) || limit < 1 || limit > 1000) throw new AssistantError(ErrorCode.InvalidInput, `--limit must be a whole number from 1 to 1000, not "${options.limit}".`);
  return { kinds: kinds as AuditKind[] | undefined, since, limit };
}

/** One line per event, oldest first: "#12  2025-01-31 14:02:03  settings.changed  Settings changed: …". */
function formatEvent(event: AuditEvent): string {
  const time = new Date(event.time).toISOString().replace('T', ' ').slice(0, 19);
  return `#${String(event.seq).padEnd(5)} ${time}  ${event.kind.padEnd(17)} ${event.summary}`;
}
