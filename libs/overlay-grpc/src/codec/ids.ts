import {
  type NodeId,
  type ResourceId,
  idToBytes,
  nodeIdFromBytes,
  resourceIdFromBytes,
} from '@p2psip/identity';
import type { Destination } from '@p2psip/overlay';
import type { commonV1 } from '@p2psip/proto';

/** A frame that does not fit the message model; the codec turns it into "drop". */
export class UndecodableError extends Error {
  constructor(message: string) {
    super(message);
    this.name = new.target.name;
  }
}

export function nodeIdOf(bytes: Uint8Array): NodeId {
  try {
    return nodeIdFromBytes(bytes);
  } catch {
    throw new UndecodableError(`a Node-ID has ${bytes.length} bytes, not 16`);
  }
}

export function nodeIdsOf(list: readonly Uint8Array[]): NodeId[] {
  return list.map(nodeIdOf);
}

export function nodeIdBytes(list: readonly NodeId[]): Buffer[] {
  return list.map((id) => idToBytes(id));
}

export function encodeDestination(destination: Destination): commonV1.Destination {
  switch (destination.kind) {
    case 'node':
      return { id: { $case: 'nodeId', nodeId: idToBytes(destination.id) } };
    case 'resource':
      return { id: { $case: 'resourceId', resourceId: idToBytes(destination.id) } };
    case 'opaque':
      return { id: { $case: 'opaqueId', opaqueId: Buffer.from(destination.id) } };
  }
}

export function decodeDestination(destination: commonV1.Destination | undefined): Destination {
  const id = destination?.id;
  if (!id) throw new UndecodableError('an empty destination');
  switch (id.$case) {
    case 'nodeId':
      return { kind: 'node', id: nodeIdOf(id.nodeId) };
    case 'resourceId':
      return { kind: 'resource', id: resourceIdOf(id.resourceId) };
    case 'opaqueId':
      return { kind: 'opaque', id: new Uint8Array(id.opaqueId) };
  }
}

function resourceIdOf(bytes: Uint8Array): ResourceId {
  try {
    return resourceIdFromBytes(bytes);
  } catch {
    throw new UndecodableError(`a Resource-ID has ${bytes.length} bytes, not 16`);
  }
}
