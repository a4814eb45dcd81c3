import { createHash } from 'node:crypto';
import {
  type NodeId,
  type ReloadCertificate,
  type ResourceId,
  idToBytes,
  nodeIdFromBytes,
  resourceIdFromBytes,
} from '@p2psip/identity';
import {
  ErrorCode,
  type OverlayLogger,
  type OverlayNode,
  OverlayError,
  ReloadError,
  errorCodeName,
} from '@p2psip/overlay';
import {
  CertificateIndex,
  UndecodableError,
  certificatesOf,
  kindDataFromProto,
  type MessageCodec,
  metaDataToProto,
  specifierFromProto,
  storedValueToProto,
} from '@p2psip/overlay-grpc';
import { commonV1, peerV1 } from '@p2psip/proto';
import { type CallContext, type ErrorKind, RpcError, type ServiceHandlers } from '@p2psip/rpc';
import { attachmentInfo } from './attachment-info';
import { connectClient } from './client-connect';
import type { RequestObserver } from '../request-metrics';
import type { KindRegistry, OverlayStorage, StoredDataSpecifier, ValueSelector } from '@p2psip/storage';

/** What the client access service needs from the peer that serves it. */
export interface AttachmentPeer {
  readonly node: OverlayNode;
  readonly storage: OverlayStorage;
  readonly kinds: KindRegistry;
  readonly overlay: string;
  readonly overlayHash: number;
  readonly configurationSequence: () => number;
  /** The peer's link codec (client streams carry signed overlay messages like links do). */
  readonly codec: MessageCodec;
  readonly logger: OverlayLogger;
  readonly isRevoked: (certificate: ReloadCertificate) => boolean;
  /** Times what attached clients send through this peer (the peer's metrics). */
  readonly clientRequests?: RequestObserver;
}

/**
 * The service a peer offers to attached thin clients (DESIGN.md §5): storage operations routed
 * into the overlay on the client's behalf. Values are signed by the client; the peer forwards
 * them with the certificates that verify them and never signs for the client.
 */
export function clientAccessHandlers(
  peer: AttachmentPeer,
): ServiceHandlers<typeof peerV1.ClientAccessServiceService> {
  return {
    getAttachmentInfo: (_request, context) =>
      Promise.resolve({ attachment: attachmentInfo(peer, clientOf(context).nodeId) }),
    store: (request, context) =>
      overlayCall(async () => {
        const client = clientOf(context);
        const certificates = new CertificateIndex([
          client.certificateDer,
          ...request.certificates.map((c) => c.certificateDer),
        ]);
        const kindData = decode(() => request.kindData.map((k) => kindDataFromProto(k, certificates)));
        // A client stores what it signed itself: otherwise any client could replay another user's
        // old signed values through us (the routed StoreReq is signed by this peer, not the user).
        const own = createHash('sha256').update(client.certificateDer).digest();
        const foreign = kindData.some((k) =>
          k.values.some(
            (v) =>
              v.signature.identity.type === 'none' || !Buffer.from(v.signature.identity.hash).equals(own),
          ),
        );
        if (foreign) {
          throw new RpcError(
            'forbidden',
            'NOT_SIGNED_BY_CLIENT',
            'values must be signed with this connection’s certificate',
          );
        }
        const { results, from } = await peer.storage.store(resourceIdOf(request.resourceId), kindData, {
          signal: context.signal,
        });
        return {
          kindResponses: results.map((k) => ({
            kind: k.kind,
            generationCounter: k.generation,
            replicas: k.replicas.map((id) => idToBytes(id)),
          })),
          responderNodeId: idToBytes(from),
        };
      }),
    fetch: (request, context) =>
      overlayCall(async () => {
        clientOf(context);
        const specifiers = specifiersOf(peer.kinds, request.specifiers);
        const { results, from } = await peer.storage.fetch(resourceIdOf(request.resourceId), specifiers, {
          signal: context.signal,
        });
        const values = results.flatMap((k) => k.values);
        return {
          kindResponses: results.map((k) => ({
            kind: k.kind,
            generation: k.generation,
            values: k.values.map(storedValueToProto),
          })),
          certificates: certificatesOf(values).map((der) => ({
            type: commonV1.CertificateType.CERTIFICATE_TYPE_X509,
            certificateDer: Buffer.from(der),
          })),
          responderNodeId: idToBytes(from),
        };
      }),
    stat: (request, context) =>
      overlayCall(async () => {
        clientOf(context);
        const specifiers = specifiersOf(peer.kinds, request.specifiers);
        const at = request.atNodeId.length > 0 ? nodeIdOf(request.atNodeId) : undefined;
        const { results, from } = await peer.storage.stat(resourceIdOf(request.resourceId), specifiers, {
          signal: context.signal,
          ...(at !== undefined ? { at } : {}),
        });
        return {
          kindResponses: results.map((k) => ({
            kind: k.kind,
            generation: k.generation,
            values: k.values.map(metaDataToProto),
            replicas: k.replicas.map((id) => idToBytes(id)),
          })),
          responderNodeId: idToBytes(from),
        };
      }),
    find: (request, context) =>
      overlayCall(async () => {
        clientOf(context);
        const { results, from } = await peer.storage.find(resourceIdOf(request.resourceId), request.kinds, {
          signal: context.signal,
        });
        return {
          results: results.map((r) => ({
            kind: r.kind,
            closestResourceId: r.closest === undefined ? Buffer.alloc(0) : idToBytes(r.closest),
          })),
          responderNodeId: idToBytes(from),
        };
      }),
    appAttach: () =>
      Promise.reject(
        new RpcError('precondition', 'NOT_AVAILABLE', 'AppAttach is not offered by this peer version'),
      ),
    connect: (call, context) =>
      connectClient(
        {
          get node() {
            return peer.node;
          },
          codec: peer.codec,
          logger: peer.logger,
          isRevoked: peer.isRevoked,
          attachmentInfo: (client) => attachmentInfo(peer, client),
          ...(peer.clientRequests ? { clientRequests: peer.clientRequests } : {}),
        },
        call,
        context,
      ),
  };
}

/** The caller as its certificate says; the service is for enrolled nodes only. */
function clientOf(context: CallContext): { nodeId: NodeId; certificateDer: Buffer } {
  const identity = context.peer;
  const nodeId = identity?.nodeIds[0];
  if (!identity || nodeId === undefined) {
    throw new RpcError(
      'unauthenticated',
      'NO_NODE_CERTIFICATE',
      'a client certificate with a Node-ID is required',
    );
  }
  return { nodeId, certificateDer: identity.certificate.der };
}

/**
 * Specifiers from the client; one without a model asks for everything of its kind, in the kind's
 * own model (the CLI's `fetch` without --key/--index), resolved here from the configuration.
 */
function specifiersOf(
  kinds: KindRegistry,
  protos: readonly commonV1.StoredDataSpecifier[],
): StoredDataSpecifier[] {
  return protos.map((proto) => {
    if (proto.model) return decode(() => specifierFromProto(proto));
    const kind = kinds.get(proto.kind);
    if (!kind)
      throw new RpcError('not-found', 'UNKNOWN_KIND', `kind ${proto.kind} is not in the configuration`);
    return { kind: proto.kind, generation: proto.generation, selector: everything(kind.dataModel) };
  });
}

function everything(model: 'SINGLE' | 'ARRAY' | 'DICTIONARY'): ValueSelector {
  if (model === 'SINGLE') return { model };
  if (model === 'ARRAY') return { model, ranges: [{ first: 0, last: 0xffffffff }] };
  return { model, keys: [] };
}

function resourceIdOf(bytes: Uint8Array): ResourceId {
  if (bytes.length !== 16)
    throw new RpcError('invalid-argument', 'BAD_RESOURCE_ID', 'resource_id must be 16 bytes');
  return resourceIdFromBytes(bytes);
}

function nodeIdOf(bytes: Uint8Array): NodeId {
  if (bytes.length !== 16)
    throw new RpcError('invalid-argument', 'BAD_NODE_ID', 'at_node_id must be 16 bytes');
  return nodeIdFromBytes(bytes);
}

function decode<T>(run: () => T): T {
  try {
    return run();
  } catch (error) {
    if (error instanceof UndecodableError) throw new RpcError('invalid-argument', 'MALFORMED', error.message);
    throw error;
  }
}

const KIND_BY_RELOAD_CODE: Partial<Record<number, ErrorKind>> = {
  [ErrorCode.Forbidden]: 'forbidden',
  [ErrorCode.NotFound]: 'not-found',
  [ErrorCode.UnknownKind]: 'not-found',
  [ErrorCode.GenerationCounterTooLow]: 'conflict',
  [ErrorCode.DataTooOld]: 'conflict',
  [ErrorCode.DataTooLarge]: 'invalid-argument',
  [ErrorCode.InvalidMessage]: 'invalid-argument',
  [ErrorCode.RequestTimeout]: 'timeout',
};

/** `RELOAD_DATA_TOO_OLD` for 9: the stable code clients and scripts match on. */
function reloadCodeName(code: number): string {
  return `RELOAD_${errorCodeName(code)
    .replace(/([a-z])([A-Z])/g, '$1_$2')
    .toUpperCase()}`;
}

/** Overlay failures as gRPC statuses that keep RELOAD's error code for the client. */
async function overlayCall<T>(run: () => Promise<T>): Promise<T> {
  try {
    return await run();
  } catch (error) {
    if (error instanceof ReloadError) {
      throw new RpcError(
        KIND_BY_RELOAD_CODE[error.errorCode] ?? 'unavailable',
        reloadCodeName(error.errorCode),
        error.message,
        {
          cause: error,
          reloadErrorCode: error.errorCode,
        },
      );
    }
    if (error instanceof OverlayError) {
      const kind =
        error.code === 'REQUEST_TIMEOUT' ? 'timeout' : error.code === 'ABORTED' ? 'cancelled' : 'unavailable';
      throw new RpcError(kind, error.code, error.message, { cause: error });
    }
    throw error;
  }
}
