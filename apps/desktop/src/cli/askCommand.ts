import { type Citation, ErrorCode, escapeForTerminal, terminalJson, toErrorPayload } from '@assistant/core';
import { citationLabel } from '@assistant/rag';
import { createNodeHost } from '../node/createNodeHost.js';
import { connectInMemory } from './connectInMemory.js';
import type { CliIo } from './main.js';

export interface AskOptions {
  question: string;
  model: string | null;
  conversationId?: string;
  json: boolean;
}

/** Streams one answer to stdout. Ctrl+C stops the answer (the partial reply is kept in the conversation). */
export async function askCommand(options: AskOptions, io: CliIo): Promise<number> {
  const host = await createNodeHost({ model: options.model, logLevel: (process.env.ASSISTANT_LOG_LEVEL as 'debug' | undefined) ?? 'error' });
  const client = connectInMemory(host);
  const controller = new AbortController();
  const onSigint = () => controller.abort();
  process.once('SIGINT', onSigint);
  const line = (value: unknown) => io.stdout.write(`${terminalJson(value)}\n`);
  let citations: Citation[] = [];
  try {
    const result = await client.stream(
      'chat.send',
      { text: options.question, conversationId: options.conversationId },
      {
        signal: controller.signal,
        onItem: (item) => {
          if (options.json) line(item.type === 'start' ? { type: 'start', conversationId: item.conversation.id, messageId: item.assistantMessage.id } : item);
          else if (item.type === 'text') io.stdout.write(escapeForTerminal(item.text, { multiline: true }));
          if (item.type === 'sources') citations = item.citations;
        },
      },
    );
    // The same figures as the stored message's stats, flat beside the conversation id.
    if (options.json) line({ type: 'done', ...result.stats, conversationId: result.message.conversationId, messageId: result.message.id });
    else {
      io.stdout.write('\n');
      if (citations.length > 0) io.stdout.write(`\nSources:\n${citations.map((c) => `[${c.n}] ${escapeForTerminal(citationLabel(c))}`).join('\n')}\n`);
      if (result.stats.stopReason === 'cancelled') io.stderr.write('(stopped)\n');
      if (result.stats.stopReason === 'maxTokens') io.stderr.write('(cut off at the reply-length limit: raise maxTokens in settings)\n');
      if (result.stats.stopReason === 'timeLimit') io.stderr.write('(cut off at the reply time limit: raise maxReplySeconds in settings)\n');
      if (result.stats.trimmedMessages > 0) io.stderr.write(`(${result.stats.trimmedMessages} earlier messages did not fit the context and were left out)\n`);
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
