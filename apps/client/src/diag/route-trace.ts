import { idToBytes, idToHex, nodeIdFromBytes } from '@p2psip/identity';
import { bootstrapV1, diagnosticsV1 } from '@p2psip/proto';
import { type TlsIdentity, callServerStream, callUnary, clientCredentials, createClient } from '@p2psip/rpc';

export interface RouteReport {
  readonly destination: string;
  readonly from: { readonly nodeId: string; readonly address: string };
  readonly hops: readonly {
    hop: number;
    nodeId: string;
    address: string;
    latencyMs: number;
    responsible: boolean;
  }[];
}

/** Traces the overlay route from one live peer (the bootstrap service picks it) to an id. */
export async function traceRoute(init: {
  bootstrap: string;
  identity: TlsIdentity;
  destination: bigint;
  timeoutMs: number;
}): Promise<RouteReport> {
  const credentials = clientCredentials(init.identity);
  const bootstrap = createClient(bootstrapV1.BootstrapServiceClient, init.bootstrap, credentials);
  let start: bootstrapV1.PeerInfo | undefined;
  try {
    [start] = (await callUnary(bootstrap, 'listPeers', { sample: 1 }, { timeoutMs: init.timeoutMs })).peers;
  } finally {
    bootstrap.close();
  }
  if (!start)
    throw Object.assign(new Error('the bootstrap service knows no live peer'), { code: 'NO_PEERS' });
  const client = createClient(diagnosticsV1.DiagnosticsServiceClient, start.address, credentials);
  const hops: RouteReport['hops'][number][] = [];
  try {
    const stream = callServerStream(
      client,
      'tracePath',
      { destinationId: idToBytes(init.destination), nodeId: start.nodeId },
      { timeoutMs: init.timeoutMs },
    );
    for await (const event of stream) {
      const hop = event.hop;
      if (!hop) continue;
      hops.push({
        hop: hop.hop,
        nodeId: idToHex(nodeIdFromBytes(hop.nodeId)),
        address: hop.address,
        latencyMs: hop.latencyMs,
        responsible: hop.responsible,
      });
    }
  } finally {
    client.close();
  }
  return {
    destination: idToHex(init.destination),
    from: { nodeId: idToHex(nodeIdFromBytes(start.nodeId)), address: start.address },
    hops,
  };
}
