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

  it('keeps no reply cancelled before its first word, and keeps the partial text of one cancelled later', () => {
    const store = setup();
    const c = store.create();
    store.appendMessage(c.id, 'user', 'question');
    const early = store.appendMessage(c.id, 'assistant', '', 'streaming');
    expect(store.updateMessage(c.id, early.id, { text: '', status: 'cancelled' })).toMatchObject({ id: early.id, text: '', status: 'cancelled' });
    expect(store.messages(c.id).map((m) => m.role)).toEqual(['user']);
    store.appendMessage(c.id, 'user', 'again');
    const later = store.appendMessage(c.id, 'assistant', '', 'streaming');
    store.updateMessage(c.id, later.id, { text: 'Once upon', status: 'cancelled' });
    expect(store.messages(c.id).map((m) => [m.role, m.text, m.status])).toEqual([
      ['user', 'question', 'complete'],
      ['user', 'again', 'complete'],
      ['assistant', 'Once upon', 'cancelled'],
    ]);
  });

  describe('search', () => {
    const seeded = () => {
      const store = setup();
      const garden = store.create('Planning the garden irrigation');
      store.appendMessage(garden.id, 'user', 'When should I water the tomatoes?');
      store.appendMessage(garden.id, 'assistant', 'Water them early in the morning, before the heat of the day.');
      const proxy = store.create('Reverse proxy');
      store.appendMessage(proxy.id, 'user', 'How do I configure nginx with TLS certificates?');
      const cafe = store.create('Café notes');
      store.appendMessage(cafe.id, 'user', 'A "quoted" word, an asterisk * and NEAR(a b) AND OR NOT ^start');
      return { store, garden, proxy, cafe };
    };
    const titles = (hits: { conversation: { title: string } }[]) => hits.map((hit) => hit.conversation.title);

    it('finds conversations by message text (stemmed, by word prefix) and by title, newest first', () => {
      const { store } = seeded();
      expect(titles(store.search('watering'))).toEqual(['Planning the garden irrigation']);
      expect(titles(store.search('ngin'))).toEqual(['Reverse proxy']);
      expect(titles(store.search('irrigation'))).toEqual(['Planning the garden irrigation']);
      expect(titles(store.search('cafe'))).toEqual(['Café notes']);
      expect(titles(store.search('e'))).toEqual(['Café notes', 'Reverse proxy', 'Planning the garden irrigation']);
      // Every word must be found in one message (or all in the title).
      expect(titles(store.search('water nginx'))).toEqual([]);
      expect(titles(store.search('water morning'))).toEqual(['Planning the garden irrigation']);
      expect(store.search('water', 1)).toHaveLength(1);
    });

    it('returns the best message with its matched words marked, and none for a title-only match', () => {
      const { store, garden } = seeded();
      const [hit] = store.search('heat');
      expect(hit!.messageId).toBe(store.messages(garden.id)[1]!.id);
      expect(hit!.snippet.filter((piece) => piece.match).map((piece) => piece.text)).toEqual(['heat']);
      expect(hit!.snippet.map((piece) => piece.text).join('')).toBe('Water them early in the morning, before the heat of the day.');
      const [titleOnly] = store.search('planning');
      expect(titleOnly).toMatchObject({ messageId: null, snippet: [] });
    });

    it('treats any text as words, never as query syntax', () => {
      const { store } = seeded();
      for (const query of ['"', '"quoted"', '*', 'NEAR(a b)', 'AND', 'OR NOT', '^start', '(', 'a"b', '\u0000water', 'water\u0000', "'; DROP TABLE messages; --", '🙂', '-', '…', '']) {
        expect(() => store.search(query), query).not.toThrow();
      }
      expect(titles(store.search('"quoted"'))).toEqual(['Café notes']);
      expect(titles(store.search('NEAR(a'))).toEqual(['Café notes']);
      expect(titles(store.search('AND OR NOT'))).toEqual(['Café notes']);
      expect(titles(store.search('\u0000water'))).toEqual(['Planning the garden irrigation']);
      expect(store.search('*')).toEqual([]);
      expect(store.search('   ')).toEqual([]);
    });

    it('follows renames, edits and deletes', () => {
      const { store, garden, proxy } = seeded();
      store.rename(proxy.id, 'Web server');
      expect(titles(store.search('web server'))).toEqual(['Web server']);
      const reply = store.messages(garden.id)[1]!;
      store.updateMessage(garden.id, reply.id, { text: 'Mulch keeps the soil moist.', status: 'complete' });
      expect(titles(store.search('heat'))).toEqual([]);
      expect(titles(store.search('mulch'))).toEqual(['Planning the garden irrigation']);
      store.delete(garden.id);
      expect(store.search('mulch')).toEqual([]);
    });
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
