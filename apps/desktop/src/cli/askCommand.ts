import { AssistantError, type ChatItem, type Citation, type ContractClient, cutOffNote, ErrorCode, escapeForTerminal, type HostContract, replyStatsLine, terminalJson, toErrorPayload } from '@assistant/core';
import { citationLabel } from '@assistant/rag';
import { createNodeHost } from '../node/createNodeHost.js';
import { connectInMemory } from './connectInMemory.js';
import type { CliIo } from './main.js';

export interface AskOptions {
  question: string;
  model: string | null;
  conversationId?: string;
  /** Go on with the conversation's last reply (cut off at a limit) instead of asking; needs `conversationId`. */
  continue?: boolean;
  json: boolean;
  /** Plain output: the reply's figures on one line on stderr. */
  stats?: boolean;
}

/** What to do when a limit cut the reply off. */
const limitHints = { maxTokens: 'Raise maxTokens in settings', timeLimit: 'Raise maxReplySeconds in settings' } as const;

/**
 * Streams one answer to stdout, or the rest of a reply a limit cut off (`--continue`: only the new text).
 * Ctrl+C stops the answer (the partial reply is kept in the conversation).
 */
export async function askCommand(options: AskOptions, io: CliIo): Promise<number> {
  const host = await createNodeHost({ model: options.model, logLevel: (process.env.ASSISTANT_LOG_LEVEL as 'debug' | undefined) ?? 'error' });
  const client = connectInMemory(host);
  const controller = new AbortController();
  const onSigint = () => controller.abort();
  process.once('SIGINT', onSigint);
  const line = (value: unknown) => io.stdout.write(`${terminalJson(value)}\n`);
  let citations: Citation[] = [];
  const streamOptions = {
    signal: controller.signal,
    onItem: (item: ChatItem) => {
      if (options.json) line(item.type === 'start' ? { type: 'start', conversationId: item.conversation.id, messageId: item.assistantMessage.id } : item);
      else if (item.type === 'text') io.stdout.write(escapeForTerminal(item.text, { multiline: true }));
      if (item.type === 'sources') citations = item.citations;
    },
  };
  try {
    const result =
      options.continue && options.conversationId
        ? await client.stream('chat.continue', { conversationId: options.conversationId, messageId: await lastMessageId(client, options.conversationId) }, streamOptions)
        : await client.stream('chat.send', { text: options.question, conversationId: options.conversationId }, streamOptions);
    // The same figures as the stored message's stats, flat beside the conversation id.
    if (options.json) line({ type: 'done', ...result.stats, conversationId: result.message.conversationId, messageId: result.message.id });
    else {
      io.stdout.write('\n');
      if (citations.length > 0) io.stdout.write(`\nSources:\n${citations.map((c) => `[${c.n}] ${escapeForTerminal(citationLabel(c))}`).join('\n')}\n`);
      if (result.stats.stopReason === 'cancelled') io.stderr.write('(stopped)\n');
      const cutOff = cutOffNote(result.stats);
      if (cutOff) {
        const hint = limitHints[result.stats.stopReason as keyof typeof limitHints];
        io.stderr.write(`(${cutOff} ${hint}, or go on with: npm run assistant -- ask --continue --conversation ${result.message.conversationId})\n`);
      }
      if (result.stats.trimmedMessages > 0) io.stderr.write(`(${result.stats.trimmedMessages} earlier messages did not fit the context and were left out)\n`);
      if (options.stats) io.stderr.write(`${replyStatsLine(result.stats)}\n`);
    }
    return result.stats.stopReason === 'cancelled' ? 130 : 0;
  } catch (error) {
    const payload = toErrorPayload(error);
    if (options.json) line({ type: 'error', error: payload });
    else io.stderr.write(`\nError: ${escapeForTerminal(payload.message, { multiline: true })}\n`);
    return payload.code === ErrorCode.InvalidInput ? 2 : 1;
  } finally {
    process.off('SIGINT', onSigint);
    client.dispose();
    await host.dispose();
  }
}

/** The conversation's last message: the only reply that can be continued (the host says why when it cannot). */
async function lastMessageId(client: ContractClient<HostContract>, conversationId: string): Promise<string> {
  const { messages } = await client.call('conversations.get', { id: conversationId });
  const last = messages.at(-1);
  if (!last) throw new AssistantError(ErrorCode.InvalidInput, `Conversation ${conversationId} has no reply to continue.`);
  return last.id;
}
