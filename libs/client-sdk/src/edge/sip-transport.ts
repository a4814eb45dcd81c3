import dgram from 'node:dgram';
import { once } from 'node:events';
import net from 'node:net';
import {
  type SipMessage,
  SipParseError,
  SipStreamFramer,
  parseSipMessage,
  serializeSipMessage,
} from '@p2psip/sip';

/** Where a message came from on the phone side, and so how to answer it. */
export type LocalSource =
  | { readonly transport: 'udp'; readonly host: string; readonly port: number }
  | { readonly transport: 'tcp'; readonly host: string; readonly port: number; readonly connection: number };

/** A listen spec `udp:127.0.0.1:5060` or `tcp:127.0.0.1:5060`. */
export interface ListenSpec {
  readonly transport: 'udp' | 'tcp';
  readonly host: string;
  readonly port: number;
}

export interface TransportCounters {
  malformed: number;
}

const MAX_DATAGRAM = 65_507;

/**
 * The phone side of the SIP edge: UDP sockets and TCP listeners (RFC 3261 §18) on loopback or a
 * LAN address. Datagrams that do not parse are counted and dropped (nothing to address a response
 * to); TCP connections that send garbage are closed. Nothing a phone sends throws out of here.
 */
export class SipTransport {
  readonly counters: TransportCounters = { malformed: 0 };
  private readonly udp: dgram.Socket[] = [];
  private readonly tcp: net.Server[] = [];
  private readonly connections = new Map<number, net.Socket>();
  private nextConnection = 1;
  /** Bound addresses, e.g. `udp:127.0.0.1:5060`. */
  readonly bound: string[] = [];

  constructor(private readonly onMessage: (message: SipMessage, source: LocalSource) => void) {}

  async listen(specs: readonly ListenSpec[]): Promise<void> {
    for (const spec of specs) {
      if (spec.transport === 'udp') await this.listenUdp(spec);
      else await this.listenTcp(spec);
    }
  }

  /** Sends over UDP to host:port, or down the TCP connection a request came in on. */
  send(message: SipMessage, target: LocalSource | { transport: 'udp'; host: string; port: number }): void {
    const bytes = serializeSipMessage(message);
    if (target.transport === 'tcp') {
      const socket = this.connections.get(target.connection);
      if (socket && !socket.destroyed) socket.write(bytes);
      return;
    }
    const socket = this.udp.find((s) => (net.isIPv6(target.host) ? s.address().family === 'IPv6' : true));
    socket?.send(bytes, target.port, target.host);
  }

  /** Our UDP address (for Via and Record-Route), `host:port`. */
  get udpAddress(): string | undefined {
    const socket = this.udp[0];
    if (!socket) return undefined;
    const { address, port } = socket.address();
    return net.isIPv6(address) ? `[${address}]:${port}` : `${address}:${port}`;
  }

  async close(): Promise<void> {
    for (const socket of this.connections.values()) socket.destroy();
    await Promise.all([
      ...this.udp.map((s) => new Promise<void>((resolve) => s.close(() => resolve()))),
      ...this.tcp.map((s) => new Promise<void>((resolve) => s.close(() => resolve()))),
    ]);
  }

  private async listenUdp(spec: ListenSpec): Promise<void> {
    const socket = dgram.createSocket({
      type: net.isIPv6(spec.host) ? 'udp6' : 'udp4',
      recvBufferSize: 4 << 20,
    });
    socket.on('message', (data, remote) => {
      if (data.length > MAX_DATAGRAM) return;
      let message: SipMessage;
      try {
        message = parseSipMessage(data);
      } catch (error) {
        if (!(error instanceof SipParseError)) throw error;
        this.counters.malformed++;
        return;
      }
      this.onMessage(message, { transport: 'udp', host: remote.address, port: remote.port });
    });
    socket.on('error', () => undefined);
    socket.bind(spec.port, spec.host);
    await once(socket, 'listening');
    this.udp.push(socket);
    this.bound.push(`udp:${spec.host}:${socket.address().port}`);
  }

  private async listenTcp(spec: ListenSpec): Promise<void> {
    const server = net.createServer((socket) => this.accept(socket));
    server.listen(spec.port, spec.host);
    await once(server, 'listening');
    this.tcp.push(server);
    this.bound.push(`tcp:${spec.host}:${(server.address() as net.AddressInfo).port}`);
  }

  private accept(socket: net.Socket): void {
    socket.setNoDelay(true);
    const id = this.nextConnection++;
    this.connections.set(id, socket);
    const framer = new SipStreamFramer();
    const source: LocalSource = {
      transport: 'tcp',
      host: socket.remoteAddress ?? '',
      port: socket.remotePort ?? 0,
      connection: id,
    };
    socket.on('data', (chunk: Buffer) => {
      let messages: SipMessage[];
      try {
        messages = framer.push(chunk);
      } catch (error) {
        if (!(error instanceof SipParseError)) throw error;
        this.counters.malformed++;
        socket.destroy();
        return;
      }
      for (const message of messages) this.onMessage(message, source);
    });
    socket.on('error', () => undefined);
    socket.on('close', () => this.connections.delete(id));
  }
}

/** `udp:127.0.0.1:5060` → a ListenSpec; throws with a clear message otherwise. */
export function parseListenSpec(text: string): ListenSpec {
  const match = /^(udp|tcp):(\[[^\]]+\]|[^:]+):(\d{1,5})$/i.exec(text.trim());
  const port = match ? Number(match[3]) : NaN;
  if (!match || port > 65535) {
    throw new Error(`--listen wants udp:<host>:<port> or tcp:<host>:<port>, got ${JSON.stringify(text)}`);
  }
  return {
    transport: match[1].toLowerCase() as 'udp' | 'tcp',
    host: match[2].replace(/^\[|\]$/g, ''),
    port,
  };
}
