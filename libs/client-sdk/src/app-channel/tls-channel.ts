import { once } from 'node:events';
import type { AddressInfo } from 'node:net';
import type { Duplex } from 'node:stream';
import tls from 'node:tls';
import { type NodeId, idToHex, parseCertificate } from '@p2psip/identity';
import type { TlsIdentity } from '@p2psip/rpc';

/** An application connection to an overlay node, both ends authenticated by the overlay CA. */
export interface AppConnection {
  /** A TLS socket, or a channel relayed through the overlay (OverlayChannels). */
  readonly socket: Duplex;
  /** `host:port` of this end (Via sent-by), `p2psip.invalid:0` for a relayed channel. */
  readonly localAddress: string;
  /** The remote's Node-IDs, from its certificate (never from anything it says). */
  readonly remoteNodeIds: readonly NodeId[];
  readonly remoteUser: string | undefined;
}

/** A listener for application connections (the answer side of AppAttach). */
export interface AppListener {
  /** `host:port` to put in AppAttach candidates. */
  readonly address: string;
  close(): Promise<void>;
}

/**
 * Accepts mutual-TLS connections from nodes of the overlay (DESIGN.md §6: SIP travels over TLS
 * between the nodes AppAttach introduced). Connections without a certificate from the overlay CA
 * fail the handshake; the certificate's Node-IDs are handed to `onConnection`.
 */
export async function listenForApps(
  identity: TlsIdentity,
  onConnection: (connection: AppConnection) => void,
  options: { host?: string; port?: number } = {},
): Promise<AppListener> {
  const open = new Set<tls.TLSSocket>();
  const server = tls.createServer(
    {
      key: identity.keyPem,
      cert: identity.certPem,
      ca: identity.caPem,
      requestCert: true,
      rejectUnauthorized: true,
      minVersion: 'TLSv1.3',
    },
    (socket) => {
      // SIP messages are small and each one waits for an answer: Nagle would hold them back
      // against the peer's delayed ACK (≈ 40 ms a message).
      socket.setNoDelay(true);
      open.add(socket);
      socket.once('close', () => open.delete(socket));
      const connection = connectionOf(socket);
      if (connection) onConnection(connection);
      else socket.destroy();
    },
  );
  // Handshake failures (wrong CA, no certificate) are the remote's problem, not ours.
  server.on('tlsClientError', () => undefined);
  server.listen(options.port ?? 0, options.host ?? '127.0.0.1');
  await once(server, 'listening');
  const { address, port } = server.address() as AddressInfo;
  return {
    address: `${address}:${port}`,
    close: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        for (const socket of open) socket.destroy();
      }),
  };
}

/**
 * Connects to `address` and checks that the certificate there, issued by the overlay CA, holds
 * `expected` (the Node-ID taken from the callee's registration: RFC 6940 §6.5.2, DESIGN.md §6).
 */
export async function dialApp(
  address: string,
  identity: TlsIdentity,
  expected: NodeId,
  options: { timeoutMs: number; signal?: AbortSignal },
): Promise<AppConnection> {
  const separator = address.lastIndexOf(':');
  const host = address.slice(0, separator).replace(/^\[|\]$/g, '');
  const port = Number(address.slice(separator + 1));
  const signal = AbortSignal.any([
    AbortSignal.timeout(options.timeoutMs),
    ...(options.signal ? [options.signal] : []),
  ]);
  const socket = tls.connect({
    host,
    port,
    key: identity.keyPem,
    cert: identity.certPem,
    ca: identity.caPem,
    minVersion: 'TLSv1.3',
    // Nodes are reached by address; who they are is the Node-ID check below, not a host name.
    servername: 'p2psip.invalid',
    checkServerIdentity: () => undefined,
  });
  socket.setNoDelay(true);
  try {
    await once(socket, 'secureConnect', { signal });
  } catch (error) {
    socket.destroy();
    throw new Error(
      `no TLS connection to ${address}: ${error instanceof Error ? error.message : String(error)}`,
      {
        cause: error,
      },
    );
  }
  const connection = connectionOf(socket);
  if (!connection?.remoteNodeIds.includes(expected)) {
    socket.destroy();
    throw new Error(`the node at ${address} is not ${idToHex(expected)} (certificate mismatch)`);
  }
  return connection;
}

function connectionOf(socket: tls.TLSSocket): AppConnection | undefined {
  const peer = socket.getPeerX509Certificate();
  if (!peer) return undefined;
  try {
    const certificate = parseCertificate(peer.raw);
    const host = socket.localAddress ?? '127.0.0.1';
    const localAddress = `${host.includes(':') ? `[${host}]` : host}:${socket.localPort ?? 0}`;
    return { socket, localAddress, remoteNodeIds: certificate.nodeIds, remoteUser: certificate.userName };
  } catch {
    return undefined;
  }
}
