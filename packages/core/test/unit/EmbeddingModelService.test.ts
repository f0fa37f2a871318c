import { describe, expect, it } from 'vitest';
import type { InstalledModel } from '../../src/common/contract/schemas.js';
import { encodeVector } from '../../src/common/embedding/vectorCodec.js';
import { EmbeddingModelService, type EmbeddingModelServiceOptions, SettingsStore, openDatabase, silentLogger } from '../../src/node/index.js';

describe('EmbeddingModelService', () => {
  it("tells the worker whose batch it is: the user's by default, else the caller's priority", async () => {
    // The worker's client is the edge faked here: it records what it was asked.
    const batches: { texts: string[]; priority: string }[] = [];
    const client = {
      call: async (name: string, input: { texts: string[]; priority: string }) => {
        if (name === 'embed.load') return { modelPath: '/models/e.gguf', dimensions: 2, contextSize: 512, threads: 1 };
        batches.push(input);
        return { vectors: input.texts.map(() => encodeVector(new Float32Array([1, 0]))), truncated: 0 };
      },
    };
    const model: InstalledModel = { name: 'tiny-embed', kinds: ['embedding'], path: '/models/e.gguf', sizeBytes: 1, fromManifest: false };
    const service = new EmbeddingModelService({
      models: { resolveEmbeddingModel: async () => model },
      settings: new SettingsStore(openDatabase({ file: ':memory:' }), silentLogger),
      supervisor: { onDidStart: () => ({ dispose() {} }), client: async () => ({ client, generation: 1 }), run: <T>(call: (c: typeof client, generation: number) => Promise<T>) => call(client, 1) },
      logger: silentLogger,
    } as unknown as EmbeddingModelServiceOptions);
    await service.refresh();
    await service.embed(['asked by the user']);
    await service.embed(['asked by a local API client'], undefined, { priority: 'api' });
    await service.embed(['a document backfilled'], undefined, { priority: 'background' });
    expect(batches.map((batch) => batch.priority)).toEqual(['user', 'api', 'background']);
  });
});
