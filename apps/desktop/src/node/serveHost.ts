import { randomBytes, timingSafeEqual } from 'node:crypto';
import fs from 'node:fs';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { type WebSocketLike, createWebSocketTransport } from '@assistant/core';
import type { AssistantHost, Logger } from '@assistant/core/node';
import sirv from 'sirv';
import { WebSocketServer } from 'ws';
import { tokenCheckHeader, tokenCheckPath } from '../shared/tokenCheck.js';

export interface ServeOptions {
  host: AssistantHost;
  /** 0 picks a free port. */
  port?: number;
  /** The built renderer (apps/desktop/out/renderer). */
  rendererDir: string;
  /** Fixed token for tests; random otherwise. */
  token?: string;
  /** Where a connection that failed (e.g. a message over the size limit) is reported. */
  logger?: Logger;
}

export interface ServeHandle {
  url: string;
  port: number;
  token: string;
  close(): Promise<void>;
}

/** The largest RPC frame accepted from a browser (a long pasted message fits; a flood does not). */
const maxFrameBytes = 4 * 1024 * 1024;

/**
 * Browser mode: the renderer bundle over HTTP and the host contract over a WebSocket, on loopback only.
 * The WebSocket requires the random token in the printed URL, and its Origin must be this server, so
 * other local users and web pages cannot drive the host.
 */
export async function serveHost(options: ServeOptions): Promise<ServeHandle> {
  if (!fs.existsSync(`${options.rendererDir}/index.html`)) {
    throw new Error(`The renderer is not built (${options.rendererDir}/index.html is missing). Run \`npm run build\` first.`);
  }
  const token = options.token ?? randomBytes(24).toString('base64url');
  const assets = sirv(options.rendererDir, {
    single: true,
    dev: false,
    etag: true,
    // sirv's type table has no .ico; with nosniff an untyped favicon.ico would be refused.
    setHeaders: (response, pathname) => {
      if (pathname.endsWith('.ico')) response.setHeader('Content-Type', 'image/x-icon');
    },
  });
  const server = http.createServer((request, response) => {
    response.setHeader('X-Content-Type-Options', 'nosniff');
    response.setHeader('Referrer-Policy', 'no-referrer');
    response.setHeader('X-Frame-Options', 'DENY');
    if (request.url?.split('?')[0] === tokenCheckPath) return checkToken(request, response);
    assets(request, response);
  });

  // A page of another origin cannot send the token header without a CORS preflight, which is never answered.
  const checkToken = (request: http.IncomingMessage, response: http.ServerResponse) => {
    const given = request.headers[tokenCheckHeader];
    const ok = typeof given === 'string' && sameToken(given, token) && isOwnOrigin(request.headers.origin);
    response.writeHead(ok ? 204 : 401, { 'Cache-Control': 'no-store' }).end();
  };
  const isOwnOrigin = (origin: string | undefined) => origin === undefined || [`http://127.0.0.1:${port()}`, `http://localhost:${port()}`].includes(origin);
  const sockets = new WebSocketServer({ noServer: true, maxPayload: maxFrameBytes });

  server.on('upgrade', (request, socket, head) => {
    const url = new URL(request.url ?? '/', 'http://127.0.0.1');
    if (url.pathname !== '/rpc' || !sameToken(url.searchParams.get('token') ?? '', token) || !isOwnOrigin(request.headers.origin)) {
      socket.end('HTTP/1.1 403 Forbidden\r\nConnection: close\r\n\r\n');
      return;
    }
    sockets.handleUpgrade(request, socket, head, (ws) => {
      // One bad connection (a frame over maxPayload closes with 1009) must never take down the host.
      ws.on('error', (error) => options.logger?.warn('a browser connection failed and was closed', { error: error.message }));
      // ws implements the WHATWG event interface (text frames arrive as strings), so the browser's
      // transport serves this side too.
      // The host drops the connection when the transport closes.
      options.host.connect(createWebSocketTransport(ws as unknown as WebSocketLike));
    });
  });

  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port ?? 0, '127.0.0.1', () => resolve());
  });
  const port = () => (server.address() as AddressInfo).port;

  return {
    url: `http://127.0.0.1:${port()}/?token=${token}`,
    port: port(),
    token,
    async close() {
      for (const client of sockets.clients) client.terminate();
      sockets.close();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}

function sameToken(given: string, expected: string): boolean {
  const a = Buffer.from(given);
  const b = Buffer.from(expected);
  return a.length === b.length && timingSafeEqual(a, b);
}
