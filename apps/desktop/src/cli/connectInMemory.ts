import { type ContractClient, type HostContract, createMemoryTransportPair, createRpcClient, hostContract } from '@assistant/core';
import type { AssistantHost } from '@assistant/core/node';

/** The CLI talks to its in-process host through the same contract as the UI, over an in-memory pair. */
export function connectInMemory(host: AssistantHost): ContractClient<HostContract> {
  const [clientSide, hostSide] = createMemoryTransportPair();
  host.connect(hostSide);
  return createRpcClient(hostContract, clientSide);
}
