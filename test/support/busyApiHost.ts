import http from 'node:http';
import { silentLogger } from '@assistant/core/node';
import { createNodeHost } from '../../apps/desktop/src/node/createNodeHost.js';
import { memorySecrets } from './memorySecrets.js';

/**
 * A child process (forked by tests): a real host serving the local API on a free port, kept busy the way
 * a loaded machine keeps it: a generation streaming through the API (when BUSY_MODEL names a model) and
 * the event loop held for 50 ms of every 60. Sends `{ url, key }` to the parent; exits on SIGTERM.
 */
const key = 'sk-local-busy-host';
const host = await createNodeHost({ home: process.env.ASSISTANT_HOME, model: process.env.BUSY_MODEL || null, logger: silentLogger });
host.api.attach({ secrets: memorySecrets({ localApiKey: key }) });
const { url, error } = await host.api.enableForRun(0);
if (!url) throw new Error(`the local API did not start: ${error}`);

let stopping = false;
const generate = () => {
  if (stopping) return;
  const request = http.request(`${url}/chat/completions`, { method: 'POST', headers: { Authorization: `Bearer ${key}`, 'Content-Type': 'application/json' } }, (response) => {
    response.resume();
    response.on('end', generate);
  });
  request.on('error', () => setTimeout(generate, 100));
  request.end(JSON.stringify({ messages: [{ role: 'user', content: 'Once upon a time' }], stream: true, max_tokens: 400 }));
};
if (process.env.BUSY_MODEL) generate();
const busy = setInterval(() => {
  const until = Date.now() + 50;
  while (Date.now() < until);
}, 60);

process.send!({ url, key });
process.once('SIGTERM', () => {
  stopping = true;
  clearInterval(busy);
  void host.dispose().then(() => process.exit(0));
});
