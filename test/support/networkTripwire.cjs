// Preloaded with NODE_OPTIONS="--require <this file>" into a process and every worker thread it starts
// (--require reaches worker threads; --import does not). Every attempt to reach the network (fetch of a
// non-file URL, http(s) requests, TCP/TLS connections, DNS lookups; not local Unix sockets) is refused and written to the file
// named by NETWORK_TRIPWIRE_LOG, so a test can assert that nothing tried. Loading writes an "armed" line.
'use strict';
const fs = process.getBuiltinModule('node:fs');
const { threadId } = process.getBuiltinModule('node:worker_threads');

const log = process.env.NETWORK_TRIPWIRE_LOG;
if (log) {
  const note = (line) => fs.appendFileSync(log, `${line} pid=${process.pid} thread=${threadId}\n`);
  const refuse = (what) => {
    note(`blocked ${what}`);
    throw new Error(`network tripwire: ${what} refused`);
  };
  note('armed');
  const originalFetch = globalThis.fetch;
  globalThis.fetch = (input, init) => {
    const url = String(input && typeof input === 'object' && 'url' in input ? input.url : input);
    if (url.startsWith('file:') || url.startsWith('data:')) return originalFetch(input, init);
    // Like a real fetch: the refusal comes as a rejected promise.
    return new Promise(() => refuse(`fetch ${url}`));
  };
  for (const name of ['http', 'https']) {
    const mod = process.getBuiltinModule(`node:${name}`);
    mod.request = (...args) => refuse(`${name}.request ${String(args[0]?.href ?? args[0]?.host ?? args[0])}`);
    mod.get = (...args) => refuse(`${name}.get ${String(args[0]?.href ?? args[0]?.host ?? args[0])}`);
  }
  const net = process.getBuiltinModule('node:net');
  const tls = process.getBuiltinModule('node:tls');
  const dns = process.getBuiltinModule('node:dns');
  // A Unix socket or named pipe (a path) is local, not the network: tsx's loader talks to its parent so.
  const connect = net.connect;
  const isLocalPipe = (target) => (typeof target === 'string' && !/^\d+$/.test(target)) || (target !== null && typeof target === 'object' && typeof target.path === 'string');
  net.connect = net.createConnection = (...args) => (isLocalPipe(args[0]) ? connect.apply(net, args) : refuse(`net.connect ${JSON.stringify(args[0])}`));
  tls.connect = (...args) => refuse(`tls.connect ${JSON.stringify(args[0])}`);
  dns.lookup = (host) => refuse(`dns.lookup ${host}`);
}
