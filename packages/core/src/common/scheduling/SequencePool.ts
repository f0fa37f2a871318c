import type { WorkPriority } from '../contract/inferenceContract.js';
import { cancelledError } from '../errors.js';
import { priorityRank } from './workPriority.js';

/** What a slot remembers of the conversation its sequence holds, for the next turn with the same key. */
export interface SlotMemory {
  key: string | null;
  /** Index of the oldest history message the sequence holds (history is trimmed in steps, so the prefix stays put). */
  historyStart: number;
}

export interface SequenceLease<S> {
  readonly resource: S;
  readonly memory: SlotMemory;
  /** The slot held this key's context before: its evaluated prefix is reused. */
  readonly reused: boolean;
  release(): void;
}

interface Slot<S> {
  resource: S;
  memory: SlotMemory;
  busy: boolean;
  priority: WorkPriority | null;
  lastUsed: number;
}

interface Waiter {
  key: string | null;
  priority: Exclude<WorkPriority, 'background'>;
  seq: number;
  grant(slot: number): void;
}

/**
 * The context sequences of one model, leased one turn at a time. A turn goes back to the sequence that
 * holds its key (a conversation, an API client's thread), so what was evaluated is reused; otherwise it
 * takes a never-used sequence, else the least recently used one. API work may hold all but one sequence,
 * so the user's own turn never waits behind API clients; waiting turns are served user first.
 */
export class SequencePool<S> {
  private readonly slots: Slot<S>[];
  private readonly waiting: Waiter[] = [];
  private seq = 0;
  private clock = 0;

  constructor(resources: readonly S[]) {
    if (resources.length === 0) throw new Error('A sequence pool needs at least one sequence.');
    this.slots = resources.map((resource) => ({ resource, memory: { key: null, historyStart: 0 }, busy: false, priority: null, lastUsed: 0 }));
  }

  /** Every pooled resource, busy or not (to dispose them). */
  get resources(): S[] {
    return this.slots.map((slot) => slot.resource);
  }

  /** Turns holding a sequence now, by priority. */
  get busy(): { user: number; api: number } {
    return { user: this.slots.filter((slot) => slot.priority === 'user').length, api: this.slots.filter((slot) => slot.priority === 'api').length };
  }

  acquire(options: { key?: string | null; priority: Exclude<WorkPriority, 'background'>; signal?: AbortSignal }): Promise<SequenceLease<S>> {
    const { signal } = options;
    if (signal?.aborted) return Promise.reject(cancelledError());
    return new Promise((resolve, reject) => {
      const waiter: Waiter = {
        key: options.key ?? null,
        priority: options.priority,
        seq: this.seq++,
        grant: (index) => {
          signal?.removeEventListener('abort', onAbort);
          resolve(this.lease(index, waiter));
        },
      };
      const onAbort = () => {
        const at = this.waiting.indexOf(waiter);
        if (at >= 0) this.waiting.splice(at, 1);
        reject(cancelledError());
      };
      signal?.addEventListener('abort', onAbort, { once: true });
      this.waiting.push(waiter);
      this.dispatch();
    });
  }

  private lease(index: number, waiter: Waiter): SequenceLease<S> {
    const slot = this.slots[index]!;
    const reused = waiter.key !== null && slot.memory.key === waiter.key;
    if (!reused) slot.memory = { key: waiter.key, historyStart: 0 };
    slot.busy = true;
    slot.priority = waiter.priority;
    slot.lastUsed = ++this.clock;
    let released = false;
    return {
      resource: slot.resource,
      memory: slot.memory,
      reused,
      release: () => {
        if (released) return;
        released = true;
        slot.busy = false;
        slot.priority = null;
        this.dispatch();
      },
    };
  }

  private dispatch(): void {
    // Highest priority first, first come first within one; a waiter that cannot be placed does not block the others.
    const ordered = [...this.waiting].sort((a, b) => priorityRank[a.priority] - priorityRank[b.priority] || a.seq - b.seq);
    for (const waiter of ordered) {
      const index = this.choose(waiter);
      if (index === null) continue;
      this.waiting.splice(this.waiting.indexOf(waiter), 1);
      waiter.grant(index);
    }
  }

  private choose(waiter: Waiter): number | null {
    const apiLimit = Math.max(1, this.slots.length - 1);
    if (waiter.priority === 'api' && this.busy.api >= apiLimit) return null;
    let best: number | null = null;
    for (let i = 0; i < this.slots.length; i++) {
      const slot = this.slots[i]!;
      if (slot.busy) continue;
      if (waiter.key !== null && slot.memory.key === waiter.key) return i;
      if (best === null || this.evictionOrder(slot) < this.evictionOrder(this.slots[best]!)) best = i;
    }
    return best;
  }

  /** Never-used sequences first, then the least recently used. */
  private evictionOrder(slot: Slot<S>): number {
    return slot.memory.key === null && slot.lastUsed === 0 ? -1 : slot.lastUsed;
  }
}
