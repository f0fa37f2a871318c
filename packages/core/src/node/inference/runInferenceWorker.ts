import { inferenceContract } from '../../common/contract/inferenceContract.js';
import type { RpcTransport } from '../../common/rpc/protocol.js';
import { serveRpc } from '../../common/rpc/RpcServer.js';
import { connectParentTransport } from '../workers/parentTransport.js';
import { EmbeddingEngine } from './EmbeddingEngine.js';
import { LlamaEngine } from './LlamaEngine.js';

/** The inference worker's body: node-llama-cpp served over the worker channel. */
export function runInferenceWorker(transport: RpcTransport = connectParentTransport()): void {
  const engine = new LlamaEngine();
  const embeddings = new EmbeddingEngine({ getLlama: () => engine.getLlama(), whenRepliesIdle: (signal) => engine.whenGenerationsIdle(signal) });
  const server = serveRpc(inferenceContract, transport, {
    'model.load': (input, { signal }) => engine.load(input, signal),
    'model.unload': () => engine.unload(),
    'chat.generate': (input, { signal, emit }) => engine.generate(input, emit, signal),
    'engine.stats': () => engine.stats,
    'embed.load': (input, { signal }) => embeddings.load(input, signal),
    'embed.batch': ({ texts, priority }, { signal }) => embeddings.embed(texts, priority, signal),
  });
  server.publish('worker.ready', { pid: process.pid });
}
