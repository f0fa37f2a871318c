export interface RankedList {
  /** Ids, best first. */
  ids: readonly number[];
  weight: number;
}

export interface FusedItem {
  id: number;
  score: number;
  /** 1-based rank of the id in each input list (same order as the lists), null when absent. */
  ranks: (number | null)[];
}

/**
 * Weighted reciprocal rank fusion: score(id) = Σ weight_i / (k + rank_i). Rank-based, so lists with
 * incomparable scores (bm25, cosine) fuse without calibration. Ties break on the best single rank, then id,
 * so the order is deterministic. A duplicate id within one list counts at its first (best) position.
 */
export function fuseRankings(lists: readonly RankedList[], k = 60): FusedItem[] {
  const items = new Map<number, FusedItem>();
  lists.forEach((list, listIndex) => {
    list.ids.forEach((id, position) => {
      let item = items.get(id);
      if (!item) {
        item = { id, score: 0, ranks: lists.map(() => null) };
        items.set(id, item);
      }
      if (item.ranks[listIndex] !== null) return;
      item.ranks[listIndex] = position + 1;
      item.score += list.weight / (k + position + 1);
    });
  });
  const best = (item: FusedItem) => Math.min(...item.ranks.map((rank) => rank ?? Infinity));
  return [...items.values()].sort((a, b) => b.score - a.score || best(a) - best(b) || a.id - b.id);
}
