import { parseArgs } from 'node:util';
import { AssistantError, ErrorCode, toErrorPayload } from '@assistant/core';
import { askCommand } from './askCommand.js';
import { modelsCommand } from './modelsCommand.js';
import { serveCommand } from './serveCommand.js';

const usage = `Usage: npm run assistant -- <command> [options]

Commands:
  serve [--port N] [--model NAME|PATH]   Serve the app to your browser on 127.0.0.1 (prints a URL with an access token)
  ask "question" [--model NAME|PATH] [--conversation ID] [--json]
                                         Ask once and stream the answer to stdout (--json: one JSON event per line)
  models list [--json]                   Installed models and the default catalog
  models pull ID                         Download a model from the manifest (resumes, verifies)
  models import DIR                      Copy models from a local folder (offline machines)

Environment:
  ASSISTANT_HOME         user data folder (database, models); default: the OS app-data folder
  ASSISTANT_MODELS_DIR   models folder; default: $ASSISTANT_HOME/models`;

export interface CliIo {
  stdout: NodeJS.WritableStream;
  stderr: NodeJS.WritableStream;
}

async function main(argv: string[]): Promise<number> {
  const { values, positionals } = parseArgs({
    args: argv,
    allowPositionals: true,
    strict: true,
    options: {
      port: { type: 'string' },
      model: { type: 'string' },
      conversation: { type: 'string' },
      json: { type: 'boolean', default: false },
      help: { type: 'boolean', short: 'h', default: false },
    },
  });
  const [command, ...rest] = positionals;
  if (values.help || !command) {
    process.stdout.write(`${usage}\n`);
    return command || values.help ? 0 : 2;
  }
  const io: CliIo = { stdout: process.stdout, stderr: process.stderr };
  switch (command) {
    case 'serve': {
      const port = values.port === undefined ? 0 : Number(values.port);
      if (!Number.isInteger(port) || port < 0 || port > 65535) throw new AssistantError(ErrorCode.InvalidInput, `--port must be a number from 0 to 65535, not "${values.port}".`);
      return serveCommand({ port, model: values.model ?? null }, io);
    }
    case 'ask': {
      const question = rest.join(' ').trim();
      if (!question) throw new AssistantError(ErrorCode.InvalidInput, 'ask needs a question, e.g. npm run assistant -- ask "What is a GGUF file?"');
      return askCommand({ question, model: values.model ?? null, conversationId: values.conversation, json: values.json }, io);
    }
    case 'models':
      return modelsCommand(rest, { json: values.json }, io);
    default:
      throw new AssistantError(ErrorCode.InvalidInput, `Unknown command "${command}".\n\n${usage}`);
  }
}

main(process.argv.slice(2)).then(
  (code) => {
    process.exitCode = code;
  },
  (error: unknown) => {
    const payload = toErrorPayload(error);
    const message = error instanceof TypeError && 'code' in error && String(error.code).startsWith('ERR_PARSE_ARGS') ? `${error.message}\n\n${usage}` : payload.message;
    process.stderr.write(`Error: ${message}\n`);
    process.exitCode = payload.code === ErrorCode.InvalidInput ? 2 : 1;
  },
);
