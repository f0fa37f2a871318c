import path from 'node:path';
import BetterSqlite3 from 'better-sqlite3';
import { describe, expect, it } from 'vitest';
import { needsTinyModel, tinyChatModel } from '../support/models.js';
import { runCli } from '../support/runCli.js';
import { makeTempDir } from '../support/tempDir.js';

interface AskEvent {
  type: string;
  text?: string;
  messageId?: string;
  conversationId?: string;
  [key: string]: unknown;
}

const events = (stdout: string) => stdout.trim().split('\n').map((line) => JSON.parse(line) as AskEvent);
const textOf = (list: AskEvent[]) => list.filter((event) => event.type === 'text').map((event) => event.text).join('');

describe('ask: the reply stats and --continue', () => {
  it.skipIf(!tinyChatModel)(`prints the stats in its done line, continues a cut-off reply in the same message, and prints a stats line with --stats (${needsTinyModel})`, () => {
    const env = { ASSISTANT_HOME: makeTempDir('cli-ask-stats-') };
    expect(runCli(['settings', 'set', 'maxTokens', '8'], env).code).toBe(0);

    const first = runCli(['ask', '--json', '--model', tinyChatModel!, 'Once upon a time'], env);
    expect(first.code).toBe(0);
    const asked = events(first.stdout);
    const done = asked.at(-1)!;
    expect(done).toMatchObject({
      type: 'done',
      stopReason: 'maxTokens',
      completionTokens: 8,
      ttftMs: expect.any(Number),
      cachedTokens: expect.any(Number),
      passages: 0,
      passageTokens: 0,
      retrievalMs: null,
      trimmedMessages: 0,
      totalMs: expect.any(Number),
      conversationId: expect.any(String),
      messageId: expect.any(String),
    });
    expect(done.promptTokens).toBeGreaterThan(0);
    const firstText = textOf(asked);
    expect(firstText.length).toBeGreaterThan(0);

    const second = runCli(['ask', '--continue', '--conversation', done.conversationId!, '--json', '--model', tinyChatModel!], env);
    expect(second.stderr).toBe('');
    expect(second.code).toBe(0);
    const continued = events(second.stdout);
    // The same message goes on: its start and done name it, and the text streamed is only what is new.
    expect(continued[0]).toMatchObject({ type: 'start', conversationId: done.conversationId, messageId: done.messageId });
    const again = continued.at(-1)!;
    expect(again).toMatchObject({ type: 'done', stopReason: 'maxTokens', messageId: done.messageId, conversationId: done.conversationId });
    const secondText = textOf(continued);
    expect(secondText.length).toBeGreaterThan(0);

    const db = new BetterSqlite3(path.join(env.ASSISTANT_HOME, 'assistant.db'), { readonly: true });
    try {
      const rows = db.prepare('SELECT role, text, stats FROM messages WHERE conversation_id = ? ORDER BY seq').all(done.conversationId) as { role: string; text: string; stats: string | null }[];
      expect(rows.map((row) => row.role)).toEqual(['user', 'assistant']);
      expect(rows[1]!.text).toBe(firstText + secondText);
      const { type: _type, conversationId: _conversation, messageId: _message, ...stats } = again;
      expect(JSON.parse(rows[1]!.stats!)).toEqual(stats);
    } finally {
      db.close();
    }

    const plain = runCli(['ask', '--continue', '--conversation', done.conversationId!, '--stats', '--model', tinyChatModel!], env);
    expect(plain.code).toBe(0);
    expect(plain.stdout.trim().length).toBeGreaterThan(0);
    expect(plain.stderr).toMatch(/First token: [\d.,]+ m?s · .*Prompt: [\d,]+ tokens? evaluated, [\d,]+ reused from cache · .*Total: [\d.,]+ m?s · Ended: cut off at the reply-length limit\n/);
    // The cut-off note says how to go on.
    expect(plain.stderr).toContain(`ask --continue --conversation ${done.conversationId}`);
  });

  it('refuses --continue without a conversation, or with a question, naming the option', () => {
    const alone = runCli(['ask', '--continue']);
    expect(alone.code).toBe(2);
    expect(alone.stderr).toMatch(/--continue needs --conversation ID/);
    const withQuestion = runCli(['ask', '--continue', '--conversation', 'abc', 'Why?']);
    expect(withQuestion.code).toBe(2);
    expect(withQuestion.stderr).toMatch(/--continue takes no question/);
  });
});
