import { type LogLevel, createStderrLogger, outsideChangesIntervalMs } from '@assistant/core/node';
import { createNodeHost } from '../node/createNodeHost.js';
import { rendererDir } from '../node/repoPaths.js';
import { serveHost } from '../node/serveHost.js';
import type { CliIo } from './main.js';

/** Browser mode: the host and its workers in Node, the UI in any browser on this machine. */
export async function serveCommand(options: { port: number; model: string | null; api?: boolean }, io: CliIo): Promise<number> {
  const logger = createStderrLogger((process.env.ASSISTANT_LOG_LEVEL as LogLevel | undefined) ?? 'info');
  // Long-running: picks up what the CLI changes beside it (one-shot commands do not look).
  const host = await createNodeHost({ model: options.model, preload: true, logger, watchIntervalMs: outsideChangesIntervalMs });
  let served;
  try {
    served = await serveHost({ host, port: options.port, rendererDir: rendererDir(), logger });
  } catch (error) {
    await host.dispose();
    throw error;
  }
  io.stdout.write(`The assistant is running. Open this link in your browser (it carries an access token):\n\n  ${served.url}\n\n`);
  if (options.api) {
    // The key itself is never printed: it stays in the keychain.
    const api = await host.api.enableForRun();
    io.stdout.write(
      api.url
        ? `The OpenAI-compatible API is at ${api.url} (loopback only). Its key is in the system keychain under "localApiKey" (send it as "Authorization: Bearer <key>").\n\n`
        : `The OpenAI-compatible API did not start: ${api.error ?? 'unknown reason'}\n\n`,
    );
  }
  io.stdout.write('Press Ctrl+C to stop.\n');
  await new Promise<void>((resolve) => {
    const stop = () => resolve();
    process.once('SIGINT', stop);
    process.once('SIGTERM', stop);
  });
  await served.close();
  await host.dispose();
  return 0;
}
