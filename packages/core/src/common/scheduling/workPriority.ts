import type { WorkPriority } from '../contract/inferenceContract.js';

/** Lower runs first: the user's live turn, then local API requests, then background work. */
export const priorityRank: Record<WorkPriority, number> = { user: 0, api: 1, background: 2 };

/** node-llama-cpp's evaluation priority (1-5, higher first) for each kind of work. */
export const evaluationPriority = { user: 5, api: 3, background: 1 } as const satisfies Record<WorkPriority, 1 | 2 | 3 | 4 | 5>;
