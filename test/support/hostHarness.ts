import { type ContractClient, type HostContract, type ItemOf, createMemoryTransportPair, createRpcClient, hostContract } from '@assistant/core';
import { type AssistantHost, type Manifest, silentLogger } from '@assistant/core/node';
import { createNodeHost } from '../../apps/desktop/src/node/createNodeHost.js';
import { afterEach } from 'vitest';
import { modelsDir } from './models.js';
import { makeTempDir } from './tempDir.js';

export interface Harness {
  host: AssistantHost;
  client: ContractClient<HostContract>;
  home: string;
  close(): Promise<void>;
}

/** A real host (real SQLite file, real worker process) driven through the contract, as the UI drives it. */
export async function startHost(options: { home?: string; model?: string | null; modelsDir?: string; openMs?: number; manifest?: Manifest; watchIntervalMs?: number } = {}): Promise<Harness> {
  const home = options.home ?? makeTempDir('assistant-home-');
  const host = await createNodeHost({ home, modelsDir: options.modelsDir ?? modelsDir ?? makeTempDir('no-models-'), model: options.model ?? null, logger: silentLogger, breaker: { openMs: options.openMs }, manifest: options.manifest, watchIntervalMs: options.watchIntervalMs });
  const [clientSide, hostSide] = createMemoryTransportPair();
  host.connect(hostSide);
  const client = createRpcClient(hostContract, clientSide);
  return {
    host,
    client,
    home,
    async close() {
      client.dispose();
      await host.dispose();
    },
  };
}

/** `open` starts a host for one test; every host a test opened is closed after it, passed or failed. */
export function hostsClosedAfterEach(): (options?: Parameters<typeof startHost>[0]) => Promise<Harness> {
  const harnesses: Harness[] = [];
  afterEach(async () => {
    await Promise.all(harnesses.splice(0).map((harness) => harness.close()));
  });
  return async (options = {}) => {
    const harness = await startHost(options);
    harnesses.push(harness);
    return harness;
  };
}

export type ChatItem = ItemOf<HostContract, 'chat.send'>;

/** Sends one message and collects what streamed back. */
export async function send(client: ContractClient<HostContract>, text: string, options: { conversationId?: string; signal?: AbortSignal; onItem?: (item: ChatItem) => void } = {}) {
  const items: ChatItem[] = [];
  const result = await client.stream('chat.send', { text, conversationId: options.conversationId }, {
    signal: options.signal,
    onItem: (item) => {
      items.push(item);
      options.onItem?.(item);
    },
  });
  const start = items.find((item) => item.type === 'start');
  const streamed = items.flatMap((item) => (item.type === 'text' ? [item.text] : [])).join('');
  return { result, items, streamed, conversationId: start?.type === 'start' ? start.conversation.id : '' };
}

export const waitFor = async (check: () => boolean | Promise<boolean>, timeoutMs = 20_000, what = 'condition') => {
  const deadline = Date.now() + timeoutMs;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error(`Timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 25));
  }
};
