import { type Attachment, attach as attachThrough } from '@p2psip/client-sdk';
import type { StoredIdentity } from '@p2psip/enrollment-client';

export type { Attachment };

/** The CLI's `--peer` / `--bootstrap` choice. */
export interface AttachOptions {
  readonly peer?: string;
  readonly bootstrap?: string;
  readonly timeoutMs: number;
}

/** Attaches the CLI to `--peer`, or to a peer near the identity's Node-ID that `--bootstrap` names. */
export function attach(identity: StoredIdentity, options: AttachOptions): Promise<Attachment> {
  const nodeId = identity.certificate.nodeIds[0];
  if (nodeId === undefined) {
    return Promise.reject(Object.assign(new Error('the identity holds no Node-ID'), { code: 'NO_NODE_ID' }));
  }
  return attachThrough({
    identity,
    nodeId,
    ...(options.peer ? { peer: options.peer } : {}),
    bootstraps: options.bootstrap ? [options.bootstrap] : [],
    timeoutMs: options.timeoutMs,
  });
}
