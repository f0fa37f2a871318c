import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import { AssistantError, ErrorCode, createMemoryTransportPair, createRpcClient, defineContract, event, method, serveRpc, stream } from '../../src/index.js';

const contract = defineContract({
  add: method(z.object({ a: z.number(), b: z.number() }).strict(), z.number()),
  fail: method(z.object({}), z.null()),
  count: stream(z.object({ to: z.number().int().max(1000) }), z.number(), z.object({ done: z.boolean() })),
  ticked: event(z.object({ n: z.number() })),
});

function setup() {
  const [clientSide, serverSide] = createMemoryTransportPair();
  let sawAbort = false;
  const server = serveRpc(contract, serverSide, {
    add: ({ a, b }) => a + b,
    fail: () => {
      throw new AssistantError(ErrorCode.ModelNotFound, 'No such model.');
    },
    count: async ({ to }, { emit, signal }) => {
      for (let i = 1; i <= to; i++) {
        if (signal.aborted) {
          sawAbort = true;
          return { done: false };
        }
        emit(i);
        await new Promise((resolve) => setTimeout(resolve, 1));
      }
      return { done: true };
    },
  });
  const client = createRpcClient(contract, clientSide);
  return { client, server, clientSide, serverSide, sawAbort: () => sawAbort };
}

describe('RPC over a transport', () => {
  it('answers calls with typed results', async () => {
    const { client } = setup();
    await expect(client.call('add', { a: 2, b: 3 })).resolves.toBe(5);
  });

  it('rejects payloads that fail the schema, naming the field', async () => {
    const { client } = setup();
    const error = await client.call('add', { a: 2, b: 'x' } as never).catch((e: AssistantError) => e);
    expect(error).toMatchObject({ code: ErrorCode.InvalidInput });
    expect((error as Error).message).toContain('b');
  });

  it('rejects unknown methods, including prototype names', async () => {
    const { client } = setup();
    await expect(client.call('toString' as never, {} as never)).rejects.toMatchObject({ code: ErrorCode.UnknownMethod });
  });

  it('carries errors as code and message', async () => {
    const { client } = setup();
    await expect(client.call('fail', {})).rejects.toMatchObject({ code: ErrorCode.ModelNotFound, message: 'No such model.' });
  });

  it('streams items before the result', async () => {
    const { client } = setup();
    const items: number[] = [];
    const result = await client.stream('count', { to: 5 }, { onItem: (n) => items.push(n) });
    expect(items).toEqual([1, 2, 3, 4, 5]);
    expect(result).toEqual({ done: true });
  });

  it('sends cancellation as a message that aborts the handler', async () => {
    const { client, sawAbort } = setup();
    const controller = new AbortController();
    const items: number[] = [];
    const result = await client.stream('count', { to: 1000 }, { signal: controller.signal, onItem: (n) => (items.push(n), n === 3 && controller.abort()) });
    expect(result).toEqual({ done: false });
    expect(sawAbort()).toBe(true);
    expect(items.length).toBeLessThan(1000);
  });

  it('delivers events to subscribers', async () => {
    const { client, server } = setup();
    const received = new Promise((resolve) => client.on('ticked', resolve));
    server.publish('ticked', { n: 7 });
    await expect(received).resolves.toEqual({ n: 7 });
  });

  it('rejects pending calls when the transport closes', async () => {
    const { client, clientSide } = setup();
    const pending = client.stream('count', { to: 1000 }, { onItem: () => {} });
    clientSide.close();
    await expect(pending).rejects.toMatchObject({ code: ErrorCode.TransportClosed });
    await expect(client.call('add', { a: 1, b: 1 })).rejects.toMatchObject({ code: ErrorCode.TransportClosed });
  });

  it('validates replies when asked to (an untrusted worker)', async () => {
    const [clientSide, serverSide] = createMemoryTransportPair();
    serveRpc(contract, serverSide, { add: () => 'not a number' as never, fail: () => null, count: async () => ({ done: true }) });
    const client = createRpcClient(contract, clientSide, { validate: true });
    await expect(client.call('add', { a: 1, b: 2 })).rejects.toMatchObject({ code: ErrorCode.Internal });
  });
});
