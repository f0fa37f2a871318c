import { ErrorCode } from '@assistant/core';
import type { GenerateInput } from '@assistant/core';
import type { AssistantHost } from '@assistant/core/node';
import { describe, expect, it } from 'vitest';
import { hostsClosedAfterEach, send } from '../support/hostHarness.js';
import { needsTinyModel, tinyChatModel } from '../support/models.js';

const open = hostsClosedAfterEach();

/** A generation straight on the worker, as the local API sends one (it stores nothing). */
async function generate(host: AssistantHost, input: Partial<GenerateInput> & { prompt: string }, onText?: (text: string) => void) {
  const client = await host.chatModel.ensureLoaded();
  const request: GenerateInput = { systemPrompt: 'You tell stories.', history: [], maxTokens: 20, temperature: 0, priority: 'api', ...input };
  return host.supervisor.run(() => client.stream('chat.generate', request, { onItem: (item) => item.text && onText?.(item.text) }));
}

describe.skipIf(!tinyChatModel)(`what each reply cost, and the context it reuses (${needsTinyModel})`, () => {
  it('from turn 2 on, a conversation evaluates only what is new, also after an API call and another conversation in between', async () => {
    const { client, host } = await open();
    await client.call('settings.update', { maxTokens: 24, temperature: 0 });
    const first = await send(client, 'Once upon a time there was a cat named Tom.');
    const conversationId = first.conversationId;
    expect(first.result.stats).toMatchObject({ cachedTokens: 0, stopReason: expect.stringMatching(/eos|maxTokens/) });
    expect(first.result.stats.promptTokens).toBeGreaterThan(0);
    let previous = first.result.stats;
    for (let turn = 2; turn <= 4; turn++) {
      const { result } = await send(client, `Tom went to the park on day ${turn}.`, { conversationId });
      // Everything up to the previous question came from the cache: more each turn, and more than was evaluated.
      expect(result.stats.cachedTokens).toBeGreaterThan(previous.cachedTokens);
      expect(result.stats.promptTokens).toBeLessThan(result.stats.cachedTokens);
      previous = result.stats;
    }
    await generate(host, { prompt: 'A story about a dog.', cacheKey: 'api:other-client' });
    await send(client, 'A different story about a bird.');
    const fifth = await send(client, 'What did Tom do next?', { conversationId });
    expect(fifth.result.stats.cachedTokens).toBeGreaterThanOrEqual(previous.cachedTokens);
    expect(fifth.result.stats.promptTokens).toBeLessThan(fifth.result.stats.cachedTokens);
    // Stored with the message, as shown under it.
    const { messages } = await client.call('conversations.get', { id: conversationId });
    expect(messages.at(-1)!.stats).toEqual(fifth.result.stats);
    expect(messages[0]!.stats).toBeNull();
  });

  it('with one context sequence, the conversation in between throws the cache away (what more sequences buy)', async () => {
    const { client } = await open();
    await client.call('settings.update', { maxTokens: 24, temperature: 0, contextSequences: 1 });
    const { conversationId } = await send(client, 'Once upon a time there was a cat named Tom.');
    const second = await send(client, 'Tom went to the park.', { conversationId });
    await send(client, 'A different story about a bird.');
    const third = await send(client, 'What did Tom do next?', { conversationId });
    expect(third.result.stats.cachedTokens).toBeLessThan(second.result.stats.cachedTokens);
  });

  it('a user turn overtakes a long API stream: its reply comes while the API reply is still streaming', async () => {
    const { client, host } = await open();
    await client.call('settings.update', { maxTokens: 8, temperature: 0 });
    await send(client, 'Warm up.');
    const events: string[] = [];
    let apiStreaming!: () => void;
    const streaming = new Promise<void>((resolve) => (apiStreaming = resolve));
    const api = generate(host, { prompt: 'Once upon a time', maxTokens: 1900, cacheKey: 'api:long' }, () => apiStreaming()).then((result) => {
      events.push('api done');
      return result;
    });
    await streaming;
    const user = await send(client, 'Hello there.', { onItem: (item) => item.type === 'text' && !events.includes('user token') && events.push('user token') });
    events.push('user done');
    const apiResult = await api;
    expect(events).toEqual(['user token', 'user done', 'api done']);
    expect(user.result.stats.stopReason).toMatch(/eos|maxTokens/);
    expect(apiResult.completionTokens).toBeGreaterThan(100);
  });

  it('embedding new documents waits while a reply is generated; a question\'s embedding does not', async () => {
    const { host } = await open();
    const worker = await host.chatModel.ensureLoaded();
    await host.supervisor.run(() => worker.call('embed.load', { modelPath: tinyChatModel!, threads: 1, contextSize: 0 }));
    const order: string[] = [];
    let streaming!: () => void;
    const started = new Promise<void>((resolve) => (streaming = resolve));
    const reply = generate(host, { prompt: 'Once upon a time', maxTokens: 1900, cacheKey: 'api:long' }, () => streaming()).then(() => order.push('reply'));
    await started;
    const background = host.supervisor.run(() => worker.call('embed.batch', { texts: ['A passage of a new document.'], priority: 'background' })).then(() => order.push('background'));
    const question = host.supervisor.run(() => worker.call('embed.batch', { texts: ['A question?'], priority: 'user' })).then(() => order.push('question'));
    await Promise.all([reply, background, question]);
    expect(order).toEqual(['question', 'reply', 'background']);
  });

  it('a reply cut off by the length limit says so, and Continue appends to the same message from the cache', async () => {
    const { client } = await open();
    await client.call('settings.update', { maxTokens: 8, temperature: 0 });
    const cut = await send(client, 'Once upon a time');
    expect(cut.result.stats).toMatchObject({ stopReason: 'maxTokens', completionTokens: 8 });
    expect(cut.result.stats.ttftMs).toBeGreaterThan(0);
    expect(cut.result.stats.tokensPerSecond).toBeGreaterThan(0);
    const items: string[] = [];
    let startedWith = '';
    const continued = await client.stream('chat.continue', { conversationId: cut.conversationId, messageId: cut.result.message.id }, {
      onItem: (item) => {
        if (item.type === 'start') startedWith = `${item.assistantMessage.id}:${item.assistantMessage.text}`;
        if (item.type === 'text') items.push(item.text);
      },
    });
    expect(startedWith).toBe(`${cut.result.message.id}:${cut.result.message.text}`);
    expect(continued.message.id).toBe(cut.result.message.id);
    expect(continued.message.text).toBe(cut.result.message.text + items.join(''));
    expect(continued.message.text.length).toBeGreaterThan(cut.result.message.text.length);
    // Only the reply's last token is evaluated again: the rest of the prompt is the cut-off reply, cached.
    expect(continued.stats.promptTokens).toBeLessThanOrEqual(2);
    expect(continued.stats.cachedTokens).toBeGreaterThan(8);
    // The reply's length is the whole reply's: the 8 tokens before and the ones that followed.
    expect(continued.stats.completionTokens).toBeGreaterThan(8);
    const { messages } = await client.call('conversations.get', { id: cut.conversationId });
    expect(messages).toHaveLength(2);
    expect(messages[1]).toMatchObject({ text: continued.message.text, status: 'complete', stats: continued.stats });
  });

  it('refuses to continue a reply that was not cut off at a limit, or one that is not the last', async () => {
    const { client } = await open();
    await client.call('settings.update', { maxTokens: 8, temperature: 0 });
    const cut = await send(client, 'Once upon a time');
    await send(client, 'And then?', { conversationId: cut.conversationId });
    await expect(client.stream('chat.continue', { conversationId: cut.conversationId, messageId: cut.result.message.id }, { onItem: () => {} })).rejects.toMatchObject({
      code: ErrorCode.InvalidInput,
      message: expect.stringMatching(/^messageId: only the last reply/),
    });
    // A refused turn is a failed turn for the audit log, like any other.
    const { events } = await client.call('audit.list', { kinds: ['error'] });
    expect(events.some((event) => /A chat turn failed: messageId: only the last reply/.test(event.summary))).toBe(true);
    await client.call('settings.update', { maxTokens: 2000 });
    const controller = new AbortController();
    const stopped = await send(client, 'Hi', { signal: controller.signal, onItem: (item) => item.type === 'text' && controller.abort() });
    expect(stopped.result.stats.stopReason).toBe('cancelled');
    await expect(client.stream('chat.continue', { conversationId: stopped.conversationId, messageId: stopped.result.message.id }, { onItem: () => {} })).rejects.toMatchObject({
      code: ErrorCode.InvalidInput,
      message: expect.stringMatching(/not cut off/),
    });
  });

  it('a stopped reply keeps its stats; a reply past its wall-time limit stops with timeLimit', async () => {
    const { client, host } = await open();
    await client.call('settings.update', { maxTokens: 20_000 });
    const controller = new AbortController();
    let chunks = 0;
    const stopped = await send(client, 'Once upon a time', { signal: controller.signal, onItem: (item) => item.type === 'text' && ++chunks === 3 && controller.abort() });
    expect(stopped.result.stats.stopReason).toBe('cancelled');
    expect(stopped.result.stats.completionTokens).toBeGreaterThan(0);
    // The engine's own figures too: the worker answers a cancel with what it evaluated.
    expect(stopped.result.stats.promptTokens).toBeGreaterThan(0);
    expect(stopped.result.stats.tokensPerSecond).toBeGreaterThan(0);
    const { messages } = await client.call('conversations.get', { id: stopped.conversationId });
    expect(messages[1]!.stats).toMatchObject({ stopReason: 'cancelled' });

    const limited = await generate(host, { prompt: 'Once upon a time', maxTokens: 1900, maxWallMs: 200 });
    expect(limited.stopReason).toBe('timeLimit');
    expect(limited.completionTokens).toBeLessThan(1900);
  });
});
