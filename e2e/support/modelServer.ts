import fs from 'node:fs';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import path from 'node:path';

/** fast: the whole answer at once; slow: small chunks on a timer, so progress and Cancel are observable; fail: 503. */
export type ModelServerMode = 'fast' | 'slow' | 'fail';

export interface ModelServer {
  /** Where the file is served. */
  url: string;
  /** Read at each request, so a test can slow the server down, break it or fix it between steps. */
  mode: ModelServerMode;
  /** Every request so far: its Range header (undefined for a whole-file request) and the status answered. */
  readonly requests: { range: string | undefined; status: number }[];
  close(): Promise<void>;
}

/** A loopback stand-in for a model host (Hugging Face, a mirror): one file, with HTTP Range support. */
export async function startModelServer(file: string, options: { chunkBytes?: number; intervalMs?: number } = {}): Promise<ModelServer> {
  const body = fs.readFileSync(file);
  const name = `/${path.basename(file)}`;
  const chunkBytes = options.chunkBytes ?? 32 * 1024;
  const intervalMs = options.intervalMs ?? 100;
  const requests: ModelServer['requests'] = [];

  const server = http.createServer((req, res) => {
    const range = req.headers.range;
    const answer = (status: number, headers: http.OutgoingHttpHeaders = {}) => {
      requests.push({ range, status });
      res.writeHead(status, headers);
    };
    if (req.url !== name) return void (answer(404), res.end());
    if (state.mode === 'fail') return void (answer(503, { 'Content-Type': 'text/plain' }), res.end('Down for maintenance.'));

    const match = range ? /^bytes=(\d+)-$/.exec(range) : null;
    const start = match ? Number(match[1]) : 0;
    if (start >= body.length) return void (answer(416, { 'Content-Range': `bytes */${body.length}` }), res.end());
    const slice = body.subarray(start);
    const headers = { 'Content-Type': 'application/octet-stream', 'Content-Length': slice.length, 'Accept-Ranges': 'bytes' };
    if (match) answer(206, { ...headers, 'Content-Range': `bytes ${start}-${body.length - 1}/${body.length}` });
    else answer(200, headers);

    if (state.mode === 'fast') return void res.end(slice);
    let offset = 0;
    const timer = setInterval(() => {
      const next = slice.subarray(offset, offset + chunkBytes);
      offset += next.length;
      if (offset >= slice.length) {
        clearInterval(timer);
        res.end(next);
      } else res.write(next);
    }, intervalMs);
    // The client went away (a cancelled download): stop writing.
    res.on('close', () => clearInterval(timer));
  });

  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  const state: ModelServer = {
    url: `http://127.0.0.1:${port}${name}`,
    mode: 'fast',
    requests,
    close: () =>
      new Promise((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
  return state;
}
