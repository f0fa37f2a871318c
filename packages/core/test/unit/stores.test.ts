import { describe, expect, it } from 'vitest';
import { ErrorCode, defaultSettings } from '../../src/index.js';
import { ConversationStore, SettingsStore, openDatabase, silentLogger } from '../../src/node/index.js';

describe('ConversationStore', () => {
  const setup = () => {
    let now = 1000;
    const store = new ConversationStore(openDatabase({ file: ':memory:' }), () => now++);
    return store;
  };

  it('creates, lists newest first, renames and deletes', () => {
    const store = setup();
    const a = store.create('First');
    const b = store.create('Second');
    expect(store.list().map((c) => c.title)).toEqual(['Second', 'First']);
    store.appendMessage(a.id, 'user', 'hello');
    expect(store.list()[0]).toMatchObject({ id: a.id, messageCount: 1 });
    expect(store.rename(b.id, '  Renamed ').title).toBe('Renamed');
    expect(store.delete(a.id)).toBe(true);
    expect(store.list().map((c) => c.id)).toEqual([b.id]);
    expect(() => store.get(a.id)).toThrow(expect.objectContaining({ code: ErrorCode.NotFound }));
  });

  it('keeps messages in order with their status and error', () => {
    const store = setup();
    const c = store.create();
    store.appendMessage(c.id, 'user', 'one');
    const reply = store.appendMessage(c.id, 'assistant', '', 'streaming');
    store.updateMessage(c.id, reply.id, { text: 'partial', status: 'error', error: { code: ErrorCode.WorkerCrashed, message: 'It crashed.' } });
    const messages = store.messages(c.id);
    expect(messages.map((m) => [m.role, m.text, m.status])).toEqual([
      ['user', 'one', 'complete'],
      ['assistant', 'partial', 'error'],
    ]);
    expect(messages[1]!.error).toEqual({ code: ErrorCode.WorkerCrashed, message: 'It crashed.' });
  });

  it('marks replies left streaming by a crash as interrupted, keeping their text', () => {
    const store = setup();
    const c = store.create();
    const reply = store.appendMessage(c.id, 'assistant', '', 'streaming');
    store.updateMessage(c.id, reply.id, { text: 'so far', status: 'streaming' });
    expect(store.markInterrupted()).toBe(1);
    expect(store.messages(c.id)[0]).toMatchObject({ text: 'so far', status: 'interrupted' });
  });

  it('refuses a message for a conversation that does not exist', () => {
    const store = setup();
    expect(() => store.appendMessage('missing', 'user', 'x')).toThrow(expect.objectContaining({ code: ErrorCode.NotFound }));
  });
});

describe('SettingsStore', () => {
  it('starts from defaults and persists updates', () => {
    const db = openDatabase({ file: ':memory:' });
    const store = new SettingsStore(db, silentLogger);
    expect(store.get()).toEqual(defaultSettings);
    const changes: string[][] = [];
    store.onDidChange(({ keys }) => changes.push(keys));
    store.update({ maxTokens: 64, temperature: 0 });
    expect(new SettingsStore(db, silentLogger).get()).toMatchObject({ maxTokens: 64, temperature: 0 });
    expect(changes).toEqual([['maxTokens', 'temperature']]);
  });

  it('refuses an out-of-range value, naming the field, and keeps the rest', () => {
    const store = new SettingsStore(openDatabase({ file: ':memory:' }), silentLogger);
    expect(() => store.update({ temperature: 5 })).toThrow(/temperature/);
    expect(() => store.update({ nope: 1 } as never)).toThrow(expect.objectContaining({ code: ErrorCode.InvalidInput }));
    expect(store.get().temperature).toBe(defaultSettings.temperature);
  });

  it('falls back to the default for one corrupt stored value only', () => {
    const db = openDatabase({ file: ':memory:' });
    db.prepare(`INSERT INTO settings VALUES ('maxTokens', '"lots"'), ('temperature', '0.1'), ('threads', '{not json')`).run();
    const warnings: string[] = [];
    const store = new SettingsStore(db, { ...silentLogger, warn: (m) => warnings.push(m) });
    expect(store.get()).toMatchObject({ maxTokens: defaultSettings.maxTokens, temperature: 0.1, threads: defaultSettings.threads });
    expect(warnings.join('\n')).toMatch(/maxTokens/);
    expect(warnings.join('\n')).toMatch(/threads/);
  });
});
