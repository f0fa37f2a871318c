import fs from 'node:fs';
import path from 'node:path';
import { ErrorCode } from '@assistant/core';
import { describe, expect, it } from 'vitest';
import { hostsClosedAfterEach, send, waitFor } from '../support/hostHarness.js';
import { needsTinyModel, tinyChatModel } from '../support/models.js';
import { makeTempDir } from '../support/tempDir.js';

const open = hostsClosedAfterEach();

describe.skipIf(!tinyChatModel)(`chat with the real worker and model (${needsTinyModel})`, () => {
  it('streams a reply, stores both messages and reopens them after a restart', async () => {
    const first = await open();
    await first.client.call('settings.update', { maxTokens: 40, temperature: 0 });
    const { result, items, streamed, conversationId } = await send(first.client, 'Once upon a time');
    expect(items[0]?.type).toBe('start');
    expect(items.filter((item) => item.type === 'text').length).toBeGreaterThan(0);
    expect(streamed.length).toBeGreaterThan(0);
    expect(result.message).toMatchObject({ role: 'assistant', status: 'complete', text: streamed });
    expect(result.stats.completionTokens).toBeGreaterThan(0);
    const state = await first.client.call('app.getState', {});
    expect(state.chatModel).toMatchObject({ status: 'ready', threads: 1 });
    // Closing again after the test is harmless (dispose is idempotent).
    await first.close();

    const second = await open({ home: first.home });
    const [conversation] = await second.client.call('conversations.list', {});
    expect(conversation).toMatchObject({ id: conversationId, title: 'Once upon a time', messageCount: 2 });
    const { messages } = await second.client.call('conversations.get', { id: conversationId });
    expect(messages.map((m) => [m.role, m.status])).toEqual([
      ['user', 'complete'],
      ['assistant', 'complete'],
    ]);
    expect(messages[1]!.text).toBe(streamed);
  });

  it('continues a conversation with its history, trimming what no longer fits', async () => {
    const { client } = await open();
    await client.call('settings.update', { maxTokens: 200, temperature: 0, contextSize: 256 });
    const { conversationId } = await send(client, 'Tell me a story about a dog.');
    let trimmed = 0;
    for (let turn = 0; turn < 3 && trimmed === 0; turn++) {
      const { result } = await send(client, 'Tell me more about the dog and the park.', { conversationId });
      expect(result.message.status).toBe('complete');
      trimmed = result.stats.trimmedMessages;
    }
    expect(trimmed).toBeGreaterThan(0);
  });

  it('stops a long answer on cancel and keeps the partial reply', async () => {
    const { client } = await open();
    await client.call('settings.update', { maxTokens: 20_000 });
    const controller = new AbortController();
    let chunks = 0;
    const { result, conversationId } = await send(client, 'Once upon a time', { signal: controller.signal, onItem: (item) => item.type === 'text' && ++chunks === 3 && controller.abort() });
    expect(result.stats.stopReason).toBe('cancelled');
    expect(result.message.status).toBe('cancelled');
    expect(result.message.text.length).toBeGreaterThan(0);
    const { messages } = await client.call('conversations.get', { id: conversationId });
    expect(messages[1]).toMatchObject({ status: 'cancelled', text: result.message.text });
    // The worker is free again.
    await client.call('settings.update', { maxTokens: 10 });
    expect((await send(client, 'Hello', { conversationId })).result.message.status).toBe('complete');
  });

  it('survives kill -9 of the worker mid-answer: clear error, partial text kept, next turn works', async () => {
    const { client, host } = await open();
    await client.call('settings.update', { maxTokens: 20_000 });
    const pid = host.supervisor.pid;
    let killed = false;
    const error = await send(client, 'Once upon a time', {
      onItem: (item) => {
        if (item.type === 'text' && !killed && host.supervisor.pid) {
          killed = true;
          process.kill(host.supervisor.pid, 'SIGKILL');
        }
      },
    }).catch((e: Error & { code: string }) => e);
    expect(error).toMatchObject({ code: ErrorCode.WorkerCrashed });
    expect((error as Error).message).toMatch(/stopped unexpectedly \(killed by SIGKILL\)/);
    const [conversation] = await client.call('conversations.list', {});
    const { messages } = await client.call('conversations.get', { id: conversation!.id });
    // A failed reply keeps what it cost until then.
    expect(messages[1]).toMatchObject({ status: 'error', error: { code: ErrorCode.WorkerCrashed }, stats: { stopReason: 'error' } });
    expect(messages[1]!.stats!.completionTokens).toBeGreaterThan(0);
    await waitFor(() => host.supervisor.state.status === 'ready' && host.supervisor.pid !== pid, 20_000, 'restart');
    expect(host.supervisor.state).toMatchObject({ restarts: 1, breaker: 'closed' });
    await client.call('settings.update', { maxTokens: 10 });
    expect((await send(client, 'Hello again', { conversationId: conversation!.id })).result.message.status).toBe('complete');
  });

  it('opens the circuit after three crashes and the UI hears about it', async () => {
    const { client, host } = await open({ openMs: 60_000 });
    const states: string[] = [];
    client.on('app.stateChanged', (state) => states.push(`${state.inference.status}/${state.inference.breaker}`));
    for (let crash = 0; crash < 3; crash++) {
      await waitFor(async () => (await host.supervisor.client().then(() => true, () => false)) && host.supervisor.state.status === 'ready', 20_000, 'worker');
      process.kill(host.supervisor.pid!, 'SIGKILL');
      await waitFor(() => host.supervisor.state.restarts === crash + 1, 20_000, 'crash noticed');
    }
    await waitFor(() => states.includes('unavailable/open'), 5000, 'open event');
    const error = await send(client, 'Hello').catch((e: Error & { code: string }) => e);
    expect(error).toMatchObject({ code: ErrorCode.WorkerUnavailable });
    const state = await client.call('workers.retry', { name: 'inference' });
    expect(state.inference).toMatchObject({ breaker: 'closed', status: 'ready' });
  });

  it('a prompt longer than the context gets a clear error and the conversation is kept', async () => {
    const { client } = await open();
    await client.call('settings.update', { contextSize: 128, maxTokens: 10 });
    const { conversationId } = await send(client, 'Hello');
    const error = await send(client, 'word '.repeat(2000), { conversationId }).catch((e: Error & { code: string }) => e);
    expect(error).toMatchObject({ code: ErrorCode.PromptTooLong });
    expect((error as Error).message).toMatch(/too long.*context/);
    const { messages } = await client.call('conversations.get', { id: conversationId });
    expect(messages).toHaveLength(4);
    expect((await send(client, 'Hello', { conversationId })).result.message.status).toBe('complete');
  });
});

describe('bad models and bad input', () => {
  it('a random-bytes GGUF, a truncated GGUF and a missing path each give a clear message; the next turn works once fixed', async () => {
    const dir = makeTempDir('bad-models-');
    const random = path.join(dir, 'random.gguf');
    fs.writeFileSync(random, Buffer.from(Array.from({ length: 4096 }, (_, i) => (i * 97) % 256)));
    const { client } = await open({ model: random });
    await expect(send(client, 'Hello')).rejects.toMatchObject({ code: ErrorCode.ModelInvalid, message: expect.stringMatching(/not a valid GGUF/) });
    const state = await client.call('app.getState', {});
    expect(state.chatModel).toMatchObject({ status: 'error', error: { code: ErrorCode.ModelInvalid } });

    const missing = await open({ model: path.join(dir, 'missing.gguf') });
    await expect(send(missing.client, 'Hello')).rejects.toMatchObject({ code: ErrorCode.ModelNotFound, message: expect.stringMatching(/missing\.gguf/) });

    if (tinyChatModel) {
      const truncated = path.join(dir, 'truncated.gguf');
      fs.writeFileSync(truncated, fs.readFileSync(tinyChatModel).subarray(0, 300_000));
      const cut = await open({ modelsDir: dir, model: truncated });
      await expect(send(cut.client, 'Hello')).rejects.toMatchObject({ code: ErrorCode.ModelLoadFailed, message: expect.stringMatching(/corrupted or incomplete/) });
      // Fix the cause: choose the good model in settings (the --model override is gone).
      const fixed = await open({ home: cut.home, model: tinyChatModel });
      await fixed.client.call('settings.update', { maxTokens: 5 });
      expect((await send(fixed.client, 'Hello')).result.message.status).toBe('complete');
      expect((await fixed.client.call('conversations.list', {})).length).toBe(2);
    }
  });

  it('no chat model: the setup screen is requested and a turn fails with a plain sentence', async () => {
    const { client } = await open({ modelsDir: makeTempDir('empty-models-') });
    const state = await client.call('app.getState', {});
    expect(state).toMatchObject({ setupNeeded: true, chatModel: { status: 'none' } });
    await expect(send(client, 'Hello')).rejects.toMatchObject({ code: ErrorCode.NoChatModel, message: expect.stringMatching(/models pull/) });
  });

  it('payloads that fail their schema are refused with the field named, and the host stays up', async () => {
    const { client } = await open({ modelsDir: makeTempDir('empty-models-') });
    await expect(client.call('conversations.rename', { id: 'x', title: '' })).rejects.toMatchObject({ code: ErrorCode.InvalidInput, message: expect.stringMatching(/title/) });
    await expect(client.call('settings.update', { temperature: 'hot' } as never)).rejects.toMatchObject({ code: ErrorCode.InvalidInput, message: expect.stringMatching(/temperature/) });
    await expect(client.stream('chat.send', { text: '   ' }, { onItem: () => {} })).rejects.toMatchObject({ code: ErrorCode.InvalidInput });
    await expect(client.call('conversations.get', { id: 'nope' })).rejects.toMatchObject({ code: ErrorCode.NotFound });
    expect(await client.call('conversations.list', {})).toEqual([]);
  });
});
