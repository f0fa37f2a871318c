import { parseArgs } from 'node:util';
import { AssistantError, ErrorCode, escapeForTerminal, toErrorPayload } from '@assistant/core';
import { askCommand } from './askCommand.js';
import { auditCommand } from './auditCommand.js';
import { docsCommand, ingestCommand, searchCommand } from './documentsCommand.js';
import { modelsCommand } from './modelsCommand.js';
import { secretsCommand } from './secretsCommand.js';
import { serveCommand } from './serveCommand.js';
import { settingsCommand } from './settingsCommand.js';
import { sayCommand, transcribeCommand, vadCommand } from './voiceCommands.js';
import { voiceTurnCommand } from './voiceTurnCommand.js';

const usage = `Usage: npm run assistant -- <command> [options]

Commands:
  serve [--port N] [--model NAME|PATH] [--api]
                                         Serve the app to your browser on 127.0.0.1 (prints a URL with an access token);
                                         --api also serves the OpenAI-compatible API for this run (key: localApiKey;
                                         per-request limits and the waiting queue: settings apiMax*)
  ask "question" [--model NAME|PATH] [--conversation ID] [--json] [--stats]
                                         Ask once and stream the answer to stdout (--json: one JSON event per line,
                                         the last with the reply's figures; --stats: the figures on stderr)
  ask --continue --conversation ID [--model NAME|PATH] [--json] [--stats]
                                         Go on with the conversation's last reply where the length or time limit cut it off
  models list [--json]                   Installed models and the default catalog
  models pull ID                         Download a model from the manifest (resumes, verifies)
  models import DIR                      Copy models from a local folder (offline machines)
  ingest PATH... [--embedding-model NAME|PATH] [--json]
                                         Add files and folders to your documents (progress, then a summary);
                                         --embedding-model also sets it in Settings
  search "query" [--k N] [--mode hybrid|bm25|vector|exact] [--json]
                                         Search your documents
  docs list [--json]                     Your documents and their state
  docs remove ID                         Remove a document and everything derived from it
  audit list [--kind K] [--since ISO] [--limit N] [--json]
                                         The audit log, newest last (--kind repeatable or comma-separated)
  audit verify [--json]                  Check the audit log's hash chain (exit 1 names the first bad row)
  audit export FILE                      Write the whole audit log as JSON lines
  settings get [KEY] [--json]            Your settings (or one of them)
  settings set KEY VALUE                 Change a setting (numbers, true/false, null); refused with the reason
  settings export FILE                   Write all settings to a JSON file
  settings import FILE                   Apply a settings JSON file; invalid fields are refused and named
  secrets set NAME                       Save a secret (an API key) in the system keychain; the value is read from
                                         stdin (typed with echo off, or piped), never from an argument
  secrets delete NAME                    Delete a secret
  secrets list [--json]                  The names of the secrets set (never their values) and where they live
  vad FILE.wav [--threshold X] [--json]  Speech segments of a recording (--json: {segments, durationMs})
  transcribe FILE.wav [--stt-model NAME|DIR] [--json]
                                         Speech to text (the streaming model, or a Whisper folder)
  say "text" --out FILE.wav [--voice NAME|DIR] [--json]
                                         Text to speech into a WAV file (Piper if installed, else the system voice)
  voice-turn FILE.wav --out REPLY.wav [--model NAME|PATH] [--text "..."] [--json]
                                         A whole spoken turn (VAD, STT, LLM, TTS) with each stage's timing;
                                         --text stands in for the transcript when no STT model is installed

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
      api: { type: 'boolean', default: false },
      model: { type: 'string' },
      conversation: { type: 'string' },
      continue: { type: 'boolean', default: false },
      stats: { type: 'boolean', default: false },
      json: { type: 'boolean', default: false },
      k: { type: 'string' },
      mode: { type: 'string' },
      'embedding-model': { type: 'string' },
      threshold: { type: 'string' },
      'stt-model': { type: 'string' },
      out: { type: 'string' },
      voice: { type: 'string' },
      text: { type: 'string' },
      kind: { type: 'string', multiple: true },
      since: { type: 'string' },
      limit: { type: 'string' },
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
      return serveCommand({ port, model: values.model ?? null, api: values.api }, io);
    }
    case 'ask': {
      const question = rest.join(' ').trim();
      if (values.continue) {
        if (question) throw new AssistantError(ErrorCode.InvalidInput, "ask --continue takes no question: it goes on with the conversation's last reply.");
        if (!values.conversation) throw new AssistantError(ErrorCode.InvalidInput, 'ask --continue needs --conversation ID (the conversationId that ask --json prints).');
      } else if (!question) throw new AssistantError(ErrorCode.InvalidInput, 'ask needs a question, e.g. npm run assistant -- ask "What is a GGUF file?"');
      return askCommand({ question, model: values.model ?? null, conversationId: values.conversation, continue: values.continue, json: values.json, stats: values.stats }, io);
    }
    case 'ingest':
      return ingestCommand(rest, { json: values.json, embeddingModel: values['embedding-model'] }, io);
    case 'search': {
      const query = rest.join(' ').trim();
      if (!query) throw new AssistantError(ErrorCode.InvalidInput, 'search needs a query, e.g. npm run assistant -- search "warranty period"');
      const k = values.k === undefined ? 5 : Number(values.k);
      if (!Number.isInteger(k) || k < 1 || k > 100) throw new AssistantError(ErrorCode.InvalidInput, `--k must be a whole number from 1 to 100, not "${values.k}".`);
      return searchCommand(query, { k, json: values.json, mode: values.mode ?? 'hybrid' }, io);
    }
    case 'docs':
      return docsCommand(rest, { json: values.json }, io);
    case 'models':
      return modelsCommand(rest, { json: values.json }, io);
    case 'audit':
      return auditCommand(rest, { json: values.json, kind: values.kind, since: values.since, limit: values.limit }, io);
    case 'settings':
      return settingsCommand(rest, { json: values.json }, io);
    case 'secrets':
      return secretsCommand(rest, { json: values.json }, io);
    case 'vad':
      return vadCommand(rest[0], { threshold: values.threshold, json: values.json }, io);
    case 'transcribe':
      return transcribeCommand(rest[0], { sttModel: values['stt-model'], json: values.json }, io);
    case 'say':
      return sayCommand(rest.join(' ').trim(), { out: values.out, voice: values.voice, json: values.json }, io);
    case 'voice-turn':
      return voiceTurnCommand(rest[0], { out: values.out, model: values.model ?? null, text: values.text, json: values.json }, io);
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
    process.stderr.write(`Error: ${escapeForTerminal(message, { multiline: true })}\n`);
    process.exitCode = payload.code === ErrorCode.InvalidInput ? 2 : 1;
  },
);
