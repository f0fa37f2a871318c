import { type ContractClient, type HostContract, createMemoryTransportPair, createRpcClient, hostContract } from '@assistant/core';
import type { AssistantHost } from '@assistant/core/node';

/** A contract client of a host in this process, as the UI talks to it (the benches drive the app this way). */
export function connectClient(host: AssistantHost): ContractClient<HostContract> {
  const [clientSide, hostSide] = createMemoryTransportPair();
  host.connect(hostSide);
  return createRpcClient(hostContract, clientSide);
}
