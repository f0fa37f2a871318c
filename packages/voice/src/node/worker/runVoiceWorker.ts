import { type RpcTransport, serveRpc, voiceContract } from '@assistant/core';
import { connectParentTransport } from '@assistant/core/worker';
import type { SystemVoiceOptions } from '../engines/SystemVoice.js';
import { VoiceEngines } from './VoiceEngines.js';

/**
 * The voice worker's body: sherpa-onnx (VAD, STT, Piper) and the system voice served over the worker
 * channel. Audio work runs here so the host's event loop never waits on it, and a native crash takes down
 * only this process.
 */
export function runVoiceWorker(transport: RpcTransport = connectParentTransport(), options: { systemVoice?: SystemVoiceOptions } = {}): void {
  const engines = new VoiceEngines(options.systemVoice);
  const server = serveRpc(voiceContract, transport, engines.handlers);
  server.publish('worker.ready', { pid: process.pid });
}
