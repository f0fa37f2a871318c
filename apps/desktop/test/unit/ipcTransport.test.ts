import type { RpcMessage, RpcTransport } from '@assistant/core';
import type { WebContents } from 'electron';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { createIpcTransport, serveWebContents } from '../../src/main/ipcTransport.js';
import { rpcChannel } from '../../src/shared/bridge.js';

// Electron's ipcMain and WebContents are Node EventEmitters; the real class keeps their dispatch semantics
// (a listener added during an emit is not called in that emit), which serveWebContents relies on.
const fake = await vi.hoisted(async () => {
  const { EventEmitter } = await import('node:events');
  class FakeWebContents extends EventEmitter {
    readonly sent: [string, unknown][] = [];
    destroyed = false;
    send(channel: string, message: unknown) {
      this.sent.push([channel, message]);
    }
    isDestroyed() {
      return this.destroyed;
    }
    destroy() {
      this.destroyed = true;
      this.emit('destroyed');
    }
  }
  return { ipcMain: new EventEmitter(), FakeWebContents };
});

vi.mock('electron', () => ({ ipcMain: fake.ipcMain }));

type FakeWebContents = InstanceType<typeof fake.FakeWebContents>;
const asWebContents = (contents: FakeWebContents) => contents as unknown as WebContents;

const call: RpcMessage = { t: 'call', id: 1, name: 'chat.send', input: { text: 'hi' } };
const topFrame = { parent: null };

/** An IPC message as Electron delivers it: from `sender`, from `frame` (null once the document is gone). */
function ipc(sender: FakeWebContents, message: unknown, frame: object | null = topFrame) {
  fake.ipcMain.emit(rpcChannel, { sender, senderFrame: frame }, message);
}
function navigate(contents: FakeWebContents, isMainFrame: boolean, isSameDocument: boolean) {
  contents.emit('did-start-navigation', { url: 'file:///app/index.html', isMainFrame, isSameDocument });
}
function record(transport: RpcTransport) {
  const received: RpcMessage[] = [];
  let closes = 0;
  transport.onMessage((message) => received.push(message));
  transport.onClose(() => closes++);
  return { received, closes: () => closes };
}
/** Listeners the transport registered, so a test can see it let go of everything. */
const listenerCount = (contents: FakeWebContents) =>
  fake.ipcMain.listenerCount(rpcChannel) + contents.eventNames().reduce((sum, name) => sum + contents.listenerCount(name), 0);

afterEach(() => fake.ipcMain.removeAllListeners());

describe('createIpcTransport', () => {
  it('delivers RPC messages from the top-level frame of its webContents and sends on the rpc channel', () => {
    const contents = new fake.FakeWebContents();
    const transport = createIpcTransport(asWebContents(contents));
    const { received } = record(transport);
    ipc(contents, call);
    expect(received).toEqual([call]);

    const result: RpcMessage = { t: 'result', id: 1, ok: true, value: 'ok' };
    transport.send(result);
    expect(contents.sent).toEqual([[rpcChannel, result]]);
  });

  it.each([
    ['another webContents', (_own: FakeWebContents) => ipc(new fake.FakeWebContents(), call)],
    ['an iframe', (own: FakeWebContents) => ipc(own, call, { parent: topFrame })],
    ['a document that is gone (null senderFrame)', (own: FakeWebContents) => ipc(own, call, null)],
    ['a non-RPC shape', (own: FakeWebContents) => ipc(own, { t: 'call', id: '1', name: 'x' })],
    ['a primitive', (own: FakeWebContents) => ipc(own, 'call')],
  ])('drops a message from %s', (_case, send) => {
    const contents = new fake.FakeWebContents();
    const { received } = record(createIpcTransport(asWebContents(contents)));
    send(contents);
    ipc(contents, call); // the same transport still takes a valid message afterwards
    expect(received).toEqual([call]);
  });

  it.each(['destroyed', 'render-process-gone'])('closes on %s and lets go of every listener', (event) => {
    const contents = new fake.FakeWebContents();
    const transport = createIpcTransport(asWebContents(contents));
    const { received, closes } = record(transport);
    contents.emit(event);
    contents.emit(event);
    ipc(contents, call);
    transport.send(call);
    expect(closes()).toBe(1);
    expect(received).toEqual([]);
    expect(contents.sent).toEqual([]);
    expect(listenerCount(contents)).toBe(0);
  });

  it('closes when the top-level document is replaced, not on same-document or iframe navigation', () => {
    const contents = new fake.FakeWebContents();
    const { closes } = record(createIpcTransport(asWebContents(contents)));
    navigate(contents, true, true); // hash change / pushState
    navigate(contents, false, false); // an iframe loads
    expect(closes()).toBe(0);
    navigate(contents, true, false); // reload
    expect(closes()).toBe(1);
  });

  it('does not send to a destroyed window', () => {
    const contents = new fake.FakeWebContents();
    const transport = createIpcTransport(asWebContents(contents));
    contents.destroyed = true; // destroyed, before its 'destroyed' event has been dispatched
    transport.send(call);
    expect(contents.sent).toEqual([]);
  });

  it('after close, onClose still notifies (on a microtask) and onMessage never fires', async () => {
    const contents = new fake.FakeWebContents();
    const transport = createIpcTransport(asWebContents(contents));
    transport.close();
    const late = vi.fn();
    const messages = vi.fn();
    transport.onClose(late);
    transport.onMessage(messages);
    expect(late).not.toHaveBeenCalled();
    await Promise.resolve();
    expect(late).toHaveBeenCalledTimes(1);
    ipc(contents, call);
    expect(messages).not.toHaveBeenCalled();
  });
});

describe('serveWebContents', () => {
  function serve(contents: FakeWebContents) {
    const sessions: { transport: RpcTransport; received: RpcMessage[]; dispose: ReturnType<typeof vi.fn> }[] = [];
    const stop = serveWebContents(asWebContents(contents), (transport) => {
      const session = { transport, received: [] as RpcMessage[], dispose: vi.fn() };
      transport.onMessage((message) => session.received.push(message));
      sessions.push(session);
      return { dispose: session.dispose };
    });
    return { sessions, stop };
  }

  it('connects a transport at once, which carries the document’s messages', () => {
    const contents = new fake.FakeWebContents();
    const { sessions } = serve(contents);
    expect(sessions).toHaveLength(1);
    ipc(contents, call);
    expect(sessions[0]!.received).toEqual([call]);
  });

  it('gives a reload a fresh session and ends the old one', () => {
    const contents = new fake.FakeWebContents();
    const { sessions } = serve(contents);
    const oldClosed = vi.fn();
    sessions[0]!.transport.onClose(oldClosed);

    navigate(contents, true, false);
    expect(sessions).toHaveLength(2);
    expect(sessions[0]!.dispose).toHaveBeenCalledTimes(1);
    expect(oldClosed).toHaveBeenCalledTimes(1);

    // The new session survives the dispatch that created it, and only it receives the new page's calls.
    ipc(contents, call);
    expect(sessions[1]!.received).toEqual([call]);
    expect(sessions[0]!.received).toEqual([]);
    expect(sessions[1]!.dispose).not.toHaveBeenCalled();
    expect(fake.ipcMain.listenerCount(rpcChannel)).toBe(1);
  });

  it('keeps the session across same-document and iframe navigations', () => {
    const contents = new fake.FakeWebContents();
    const { sessions } = serve(contents);
    navigate(contents, true, true);
    navigate(contents, false, false);
    expect(sessions).toHaveLength(1);
    expect(sessions[0]!.dispose).not.toHaveBeenCalled();
  });

  it('reconnects when the page is reloaded after its renderer crashed', () => {
    const contents = new fake.FakeWebContents();
    const { sessions } = serve(contents);
    contents.emit('render-process-gone');
    navigate(contents, true, false);
    expect(sessions).toHaveLength(2);
    ipc(contents, call);
    expect(sessions[1]!.received).toEqual([call]);
  });

  it('ends with the webContents and removes all its listeners', () => {
    const contents = new fake.FakeWebContents();
    const { sessions } = serve(contents);
    contents.destroy();
    expect(sessions[0]!.dispose).toHaveBeenCalledTimes(1);
    expect(listenerCount(contents)).toBe(0);
    navigate(contents, true, false);
    expect(sessions).toHaveLength(1);
  });

  it('stops serving when disposed', () => {
    const contents = new fake.FakeWebContents();
    const { sessions, stop } = serve(contents);
    stop.dispose();
    expect(sessions[0]!.dispose).toHaveBeenCalledTimes(1);
    navigate(contents, true, false);
    expect(sessions).toHaveLength(1);
    expect(fake.ipcMain.listenerCount(rpcChannel)).toBe(0);
  });

  it('does not connect a webContents that is already destroyed', () => {
    const contents = new fake.FakeWebContents();
    contents.destroyed = true;
    const { sessions } = serve(contents);
    expect(sessions).toHaveLength(0);
    expect(fake.ipcMain.listenerCount(rpcChannel)).toBe(0);
  });
});
