/** A batch item as node-llama-cpp hands it to a prioritisation strategy (structurally its `BatchItem`). */
export interface PriorityBatchItem {
  readonly tokens: readonly unknown[];
  readonly evaluationPriority: number;
}

/**
 * How a shared batch is split between context sequences: the highest evaluation priority takes all the
 * room it needs first, then the next (first come first within a priority). node-llama-cpp's default
 * ("maximumParallelism") splits the batch evenly, so a long API prompt would halve the speed of the user's
 * own prompt; with this, a user turn arriving while an API reply streams waits at most for the batch in flight.
 */
export function strictPriorityBatching<T extends PriorityBatchItem>({ items, size }: { items: readonly T[]; size: number }): { item: T; processAmount: number }[] {
  const ordered = items.map((item, index) => ({ item, index })).sort((a, b) => b.item.evaluationPriority - a.item.evaluationPriority || a.index - b.index);
  let left = size;
  const result: { item: T; processAmount: number }[] = [];
  for (const { item } of ordered) {
    if (left === 0) break;
    const processAmount = Math.min(item.tokens.length, left);
    if (processAmount === 0) continue;
    result.push({ item, processAmount });
    left -= processAmount;
  }
  return result;
}
