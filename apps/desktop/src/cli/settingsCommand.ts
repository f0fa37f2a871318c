import fs from 'node:fs';
import path from 'node:path';
import { AssistantError, ErrorCode, type Settings, describeSetting, escapeForTerminal, isSettingKey, parseSettingText, settingKeys, settingProblem } from '@assistant/core';
import { createNodeHost } from '../node/createNodeHost.js';
import { connectInMemory } from './connectInMemory.js';
import type { CliIo } from './main.js';

const settingsUsage = 'settings get [KEY] [--json] | settings set KEY VALUE | settings export FILE | settings import FILE';

/**
 * `settings get|set|export|import`: the same settings as the panel, through the same host contract, so the
 * host's validation (and its audit of changes) applies to the command line too.
 */
export async function settingsCommand(args: string[], options: { json: boolean }, io: CliIo): Promise<number> {
  const [action, ...rest] = args;
  // Refuse bad input before starting a host: a typo should not cost a database open.
  const plan = checkArguments(action, rest);
  const host = await createNodeHost({ logLevel: (process.env.ASSISTANT_LOG_LEVEL as 'debug' | undefined) ?? 'error' });
  const client = connectInMemory(host);
  try {
    switch (plan.action) {
      case 'get': {
        const settings = await client.call('settings.get', {});
        if (plan.key) {
          const value = settings[plan.key];
          io.stdout.write(options.json ? `${JSON.stringify(value)}\n` : `${formatValue(value)}\n`);
        } else if (options.json) {
          io.stdout.write(`${JSON.stringify(settings, null, 2)}\n`);
        } else {
          io.stdout.write(formatTable(settings));
        }
        return 0;
      }
      case 'set': {
        const settings = await client.call('settings.update', { [plan.key]: plan.value });
        io.stdout.write(`${plan.key} = ${formatValue(settings[plan.key])}\n`);
        return 0;
      }
      case 'export': {
        const { json } = await client.call('settings.export', {});
        fs.writeFileSync(plan.file, json);
        io.stdout.write(`Settings written to ${plan.file}\n`);
        return 0;
      }
      case 'import': {
        const { refused } = await client.call('settings.import', { json: plan.text });
        for (const { field, reason } of refused) io.stderr.write(`Refused ${escapeForTerminal(field)}: ${escapeForTerminal(reason)} (it keeps its current value)\n`);
        io.stdout.write(refused.length === 0 ? `Settings imported from ${plan.file}\n` : `Settings imported from ${plan.file}, except ${refused.map((r) => escapeForTerminal(r.field)).join(', ')}\n`);
        // Partly applied is still a problem with the file: scripts should notice.
        return refused.length === 0 ? 0 : 2;
      }
    }
  } finally {
    client.dispose();
    await host.dispose();
  }
}

type Plan =
  | { action: 'get'; key: keyof Settings | null }
  | { action: 'set'; key: keyof Settings; value: unknown }
  | { action: 'export'; file: string }
  | { action: 'import'; file: string; text: string };

function checkArguments(action: string | undefined, rest: string[]): Plan {
  const invalid = (message: string) => new AssistantError(ErrorCode.InvalidInput, message);
  const knownKey = (key: string | undefined): keyof Settings => {
    if (!key) throw invalid(`settings ${action} needs a setting name: ${settingKeys.join(', ')}.`);
    if (!isSettingKey(key)) throw invalid(`Unknown setting "${key}". Settings: ${settingKeys.join(', ')}.`);
    return key;
  };
  switch (action) {
    case 'get':
      return { action, key: rest[0] === undefined ? null : knownKey(rest[0]) };
    case 'set': {
      const key = knownKey(rest[0]);
      if (rest.length < 2) throw invalid(`settings set needs a value, e.g. npm run assistant -- settings set ${key} ${formatValue(describeSetting(key).default)}`);
      const value = parseSettingText(key, rest.slice(1).join(' '));
      const problem = settingProblem(key, value);
      if (problem) throw invalid(`Invalid setting ${key}: ${problem}.`);
      return { action, key, value };
    }
    case 'export':
      if (!rest[0]) throw invalid('settings export needs a file, e.g. npm run assistant -- settings export settings.json');
      return { action, file: path.resolve(rest[0]) };
    case 'import': {
      if (!rest[0]) throw invalid('settings import needs a file, e.g. npm run assistant -- settings import settings.json');
      const file = path.resolve(rest[0]);
      let text: string;
      try {
        text = fs.readFileSync(file, 'utf8');
      } catch (error) {
        throw new AssistantError(ErrorCode.NotFound, `Cannot read ${file}: ${(error as NodeJS.ErrnoException).code ?? String(error)}.`);
      }
      return { action, file, text };
    }
    default:
      throw invalid(action ? `Unknown settings action "${action}". Use: ${settingsUsage}` : `settings needs an action: ${settingsUsage}`);
  }
}

function formatValue(value: unknown): string {
  if (value === null) return 'null';
  return escapeForTerminal(typeof value === 'string' ? value : JSON.stringify(value));
}

/** One line per setting: name, value, and "(default)" where it was never changed. */
function formatTable(settings: Settings): string {
  const width = Math.max(...settingKeys.map((key) => key.length));
  return settingKeys
    .map((key) => {
      const value = formatValue(settings[key]);
      const isDefault = JSON.stringify(settings[key]) === JSON.stringify(describeSetting(key).default);
      return `${key.padEnd(width)}  ${value.length > 80 ? `${value.slice(0, 77)}...` : value}${isDefault ? '  (default)' : ''}\n`;
    })
    .join('');
}
