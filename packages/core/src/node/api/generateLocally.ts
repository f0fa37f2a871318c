import type { StreamOptions } from '../../common/contract/defineContract.js';
import type { GenerateInput, GenerateResult, InferenceContract } from '../../common/contract/inferenceContract.js';
import type { ChatModelService } from '../host/ChatModelService.js';
import type { WorkerSupervisor } from '../workers/WorkerSupervisor.js';

export interface LocalChat {
  chatModel: Pick<ChatModelService, 'readyClient' | 'ensureLoaded'>;
  supervisor: Pick<WorkerSupervisor<InferenceContract>, 'run'>;
}

/**
 * One generation on the local chat model in the inference worker, loading the model first if needed.
 * The same 'chat.generate' stream ChatService uses, without storing anything: API calls and remote
 * fallbacks are not conversations of their own.
 */
export async function generateLocally(local: LocalChat, input: GenerateInput, options: StreamOptions<{ text: string; tokens: number }>): Promise<GenerateResult> {
  // Synchronous fast path when the model is loaded, as in ChatService: no tick before the request leaves.
  const client = local.chatModel.readyClient() ?? (await local.chatModel.ensureLoaded(options.signal));
  return local.supervisor.run(() => client.stream('chat.generate', input, options));
}
