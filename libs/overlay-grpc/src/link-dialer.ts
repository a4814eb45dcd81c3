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
  /** Largest message accepted on the link, bytes. @default 256 KiB */
  readonly maxMessageBytes?: number;
  /** True for certificates that must not link (revoked); checked on the server we dialled too. */
  readonly isRevoked?: (certificate: ReloadCertificate) => boolean;
}

// grpc-js shares one connection (subchannel) between channels to the same address whose
// credentials objects are equal (identity of the TLS context). One credentials object per local
// identity lets every link of a process to a remote endpoint ride one TLS connection; the remote's
// Node-ID is checked after the hello against its certificate, so no per-Node-ID context is needed.
const credentialsCache = new WeakMap<TlsIdentity, ChannelCredentials>();

function sharedCredentials(identity: TlsIdentity): ChannelCredentials {
  let credentials = credentialsCache.get(identity);
  if (!credentials) {
    credentials = clientCredentials(identity);
    credentialsCache.set(identity, credentials);
  }
  return credentials;
}

/**
 * Channel settings of a link: keepalive pings find a neighbour that vanished without a TCP reset
 * (power loss, partition), and incoming messages are capped like on the server side.
 */
function linkChannelOptions(maxMessageBytes: number) {
  return {
    'grpc.keepalive_time_ms': 10_000,
    'grpc.keepalive_timeout_ms': 5_000,
    'grpc.keepalive_permit_without_calls': 1,
    'grpc.max_receive_message_length': maxMessageBytes,
  };
}

/**
 * Opens a link: a channel of its own (links are long-lived, one per neighbour or finger), a bidi
 * stream, our hello, and the remote's hello checked against its certificate. With an expected
 * Node-ID the TLS handshake already refuses any other certificate.
 */
export async function dialLink(init: DialInit): Promise<Link> {
  const credentials = sharedCredentials(init.identity);
  const client = createClient(
    overlayV1.OverlayLinkServiceClient,
    init.address,
    credentials,
    linkChannelOptions(init.maxMessageBytes ?? 256 * 1024),
  );
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
      () => client.close(),
    );
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
