import { type NodeId, type ReloadCertificate, idToHex } from '@p2psip/identity';
import { ConnectFailedError, type Link } from '@p2psip/overlay';
import { overlayV1 } from '@p2psip/proto';
import type { ChannelCredentials } from '@grpc/grpc-js';
import { type TlsIdentity, clientCredentials, createClient, peerIdentityOf } from '@p2psip/rpc';
import { readHello } from './first-frame';
import { GrpcLink, type LinkCounters } from './grpc-link';
import { type LinkAgreement, checkHello, makeHello } from './link-hello';
import type { MessageCodec } from './message-codec';

export interface DialInit {
  readonly address: string;
  readonly localNodeId: NodeId;
  readonly expectedNodeId: NodeId | undefined;
  readonly identity: TlsIdentity;
  readonly agreement: LinkAgreement;
  readonly codec: MessageCodec;
  /** @default 5 s */
  readonly timeoutMs?: number;
  readonly signal?: AbortSignal;
  readonly counters?: LinkCounters;
  /** True for certificates that must not link (revoked); checked on the server we dialled too. */
  readonly isRevoked?: (certificate: ReloadCertificate) => boolean;
}

// grpc-js shares one connection (subchannel) between channels to the same address whose
// credentials objects are equal, and equality is identity of the TLS context. Reusing one
// credentials object per (identity, expected Node-ID) therefore lets every link of a process to a
// remote endpoint ride one TLS connection instead of each opening its own.
const credentialsCache = new WeakMap<TlsIdentity, Map<NodeId | undefined, ChannelCredentials>>();

function sharedCredentials(identity: TlsIdentity, expectedNodeId: NodeId | undefined): ChannelCredentials {
  let byNode = credentialsCache.get(identity);
  if (!byNode) credentialsCache.set(identity, (byNode = new Map<NodeId | undefined, ChannelCredentials>()));
  let credentials = byNode.get(expectedNodeId);
  if (!credentials) {
    credentials = clientCredentials(identity, expectedNodeId === undefined ? {} : { expectedNodeId });
    byNode.set(expectedNodeId, credentials);
  }
  return credentials;
}

/**
 * Opens a link: a channel of its own (links are long-lived, one per neighbour or finger), a bidi
 * stream, our hello, and the remote's hello checked against its certificate. With an expected
 * Node-ID the TLS handshake already refuses any other certificate.
 */
export async function dialLink(init: DialInit): Promise<Link> {
  const credentials = sharedCredentials(init.identity, init.expectedNodeId);
  const client = createClient(overlayV1.OverlayLinkServiceClient, init.address, credentials);
  const call = client.link();
  try {
    call.write({
      sequence: 0n,
      kind: { $case: 'hello', hello: makeHello(init.agreement, init.localNodeId, init.expectedNodeId) },
    });
    const hello = await readHello(call, init.timeoutMs ?? 5000, init.signal);
    const remote = peerIdentityOf(call);
    const checked = checkHello(hello, remote?.nodeIds ?? [], init.agreement);
    if ('refused' in checked) throw new ConnectFailedError(`${init.address} refused: ${checked.refused}`);
    if (remote && init.isRevoked?.(remote.certificate))
      throw new ConnectFailedError(`${init.address} presents a revoked certificate`);
    if (init.expectedNodeId !== undefined && checked.nodeId !== init.expectedNodeId) {
      throw new ConnectFailedError(
        `${init.address} speaks for ${idToHex(checked.nodeId)}, not ${idToHex(init.expectedNodeId)}`,
      );
    }
    const link = new GrpcLink(
      checked.nodeId,
      init.address,
      true,
      call,
      init.codec,
      init.counters,
      remote?.certificate,
    );
    call.once('close', () => client.close());
    return link;
  } catch (error) {
    call.cancel();
    client.close();
    throw error instanceof ConnectFailedError
      ? error
      : new ConnectFailedError(`cannot link to ${init.address}: ${(error as Error).message}`, {
          cause: error,
        });
  }
}
