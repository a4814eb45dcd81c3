import type { ServerDuplexStream } from '@grpc/grpc-js';
import type { NodeId, ReloadCertificate } from '@p2psip/identity';
import { nodeIdFromBytes } from '@p2psip/identity';
import type { Link } from '@p2psip/overlay';
import type { overlayV1 } from '@p2psip/proto';
import { type CallContext, RpcError } from '@p2psip/rpc';
import { readHello } from './first-frame';
import { GrpcLink, type LinkCounters } from './grpc-link';
import { type LinkAgreement, checkHello, makeHello } from './link-hello';
import type { MessageCodec } from './message-codec';

/** A virtual peer hosted by this process, as the link service sees it. */
export interface LinkEndpoint {
  readonly nodeId: NodeId;
  accept(link: Link): void;
}

export interface LinkServiceDeps {
  readonly agreement: LinkAgreement;
  readonly codec: MessageCodec;
  /** The hosted peer a stream is for (the hello's expected Node-ID; undefined = any/the only one). */
  readonly endpointFor: (expected: NodeId | undefined) => LinkEndpoint | undefined;
  /** True for certificates that must not link (revoked by CRL or NATS). */
  readonly isRevoked?: (certificate: ReloadCertificate) => boolean;
  /** @default 5 s */
  readonly helloTimeoutMs?: number;
  readonly counters?: LinkCounters;
}

/**
 * The server half of overlay links: the first frame must be a hello naming a Node-ID the caller's
 * certificate carries; then the stream becomes a Link handed to the hosted peer it is for, and
 * the call lasts as long as the link.
 */
export function linkHandler(deps: LinkServiceDeps) {
  return async (
    call: ServerDuplexStream<overlayV1.LinkFrame, overlayV1.LinkFrame>,
    context: CallContext,
  ): Promise<void> => {
    const { nodeId, endpoint, certificate } = await acceptHello(call, context, deps);
    call.write({
      sequence: 0n,
      kind: { $case: 'hello', hello: makeHello(deps.agreement, endpoint.nodeId, undefined) },
    });
    const closed = new Promise<void>((resolve) => {
      call.once('close', resolve);
      call.once('end', () => resolve());
      call.once('error', () => resolve());
      context.signal.addEventListener('abort', () => resolve(), { once: true });
    });
    const link = new GrpcLink(nodeId, call.getPeer(), false, call, deps.codec, deps.counters, certificate);
    endpoint.accept(link);
    await closed;
    link.close();
  };
}

/**
 * Reads and checks the caller's hello. A function of its own so that the decoded frame is not a
 * local of the handler, which stays suspended for the link's whole life: its bytes are views into
 * a received chunk, and would keep that alive.
 */
async function acceptHello(
  call: ServerDuplexStream<overlayV1.LinkFrame, overlayV1.LinkFrame>,
  context: CallContext,
  deps: LinkServiceDeps,
) {
  const hello = await readHello(call, deps.helloTimeoutMs ?? 5000, context.signal);
  const caller = context.peer;
  if (!caller)
    throw new RpcError(
      'unauthenticated',
      'CERTIFICATE_REQUIRED',
      'overlay links need a certificate from the overlay CA',
    );
  if (deps.isRevoked?.(caller.certificate))
    throw new RpcError('forbidden', 'REVOKED', 'the certificate is revoked');
  const checked = checkHello(hello, caller.nodeIds, deps.agreement);
  if ('refused' in checked) throw new RpcError('forbidden', 'HELLO_REFUSED', checked.refused);
  const expected = hello.expectedNodeId.length > 0 ? safeNodeId(hello.expectedNodeId) : undefined;
  const endpoint = deps.endpointFor(expected);
  if (!endpoint) throw new RpcError('not-found', 'NO_SUCH_PEER', 'no peer with that Node-ID here');
  return { nodeId: checked.nodeId, endpoint, certificate: caller.certificate };
}

function safeNodeId(bytes: Uint8Array): NodeId {
  try {
    return nodeIdFromBytes(bytes);
  } catch (cause) {
    throw new RpcError('invalid-argument', 'BAD_NODE_ID', 'expected_node_id must be 16 bytes', { cause });
  }
}
