// Public, environment-free surface of @assistant/core: safe for the renderer, Node and workers alike.
// Node-only parts (host, SQLite, workers) are exported from '@assistant/core/node'.
export * from './common/errors.js';
export * from './common/disposable.js';
export * from './common/settings.js';
export * from './common/describeSetting.js';
export * from './common/contract/index.js';
export * from './common/rpc/protocol.js';
export * from './common/rpc/RpcClient.js';
export * from './common/rpc/RpcServer.js';
export * from './common/rpc/memoryTransport.js';
export * from './common/rpc/webSocketTransport.js';
export * from './common/embedding/vectorCodec.js';
export * from './common/CircuitBreaker.js';
export * from './common/terminalText.js';
export * from './common/chat/groundedPrompt.js';
export * from './common/chat/packPassages.js';
export * from './common/chat/describeReplyStats.js';
export * from './common/text/plural.js';
