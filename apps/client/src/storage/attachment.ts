import { type Attachment, attach as attachThrough } from '@p2psip/client-sdk';
import type { NodeId } from '@p2psip/identity';
import type { TlsIdentity } from '@p2psip/rpc';

export type { Attachment };

/** The CLI's `--peer` / `--bootstrap` choice, with the identity dir's Node-IDs. */
export interface AttachInit {
  readonly identity: TlsIdentity & { readonly nodeIds: readonly NodeId[] };
  readonly peer?: string;
  readonly bootstrap?: string;
  readonly timeoutMs: number;
}

/** Attaches the CLI to `--peer`, or to a peer near its Node-ID that `--bootstrap` names. */
export function attach(init: AttachInit): Promise<Attachment> {
  const nodeId = init.identity.nodeIds[0];
  if (nodeId === undefined) {
    return Promise.reject(Object.assign(new Error('the identity holds no Node-ID'), { code: 'NO_NODE_ID' }));
  }
  return attachThrough({
    identity: init.identity,
    nodeId,
    ...(init.peer ? { peer: init.peer } : {}),
    bootstraps: init.bootstrap ? [init.bootstrap] : [],
    timeoutMs: init.timeoutMs,
  });
}
