import { randomBytes } from 'node:crypto';
import { Duplex } from 'node:stream';
import { type NodeId, idToHex } from '@p2psip/identity';
import { type AppDataRequest, type Destination, ErrorCode, ReloadError } from '@p2psip/overlay';
import { MAX_APP_DATA_BYTES } from '@p2psip/overlay-grpc';
import type { OverlaySession } from '../overlay-session';
import type { AppConnection } from './tls-channel';

/** Channels one side may hold open at once (each costs a little state at both ends). */
const MAX_CHANNELS = 256;

/**
 * Application connections carried in routed AppData messages (DESIGN.md §6: "otherwise through
 * the callee's attachment peer"), for when AppAttach gave no address the caller could connect to
 * — a client behind NAT. Each channel is a Duplex like a TLS socket; its remote is the Node-ID
 * that signed the messages (checked by the overlay core before they are delivered here). One
 * message in flight per direction keeps the bytes in order.
 */
export class OverlayChannels {
  private static readonly bySession = new WeakMap<OverlaySession, OverlayChannels>();
  private readonly channels = new Map<string, OverlayChannel>();
  private readonly acceptors = new Map<number, (connection: AppConnection) => void>();

  private constructor(private readonly session: OverlaySession) {
    session.handle<AppDataRequest>('app_data_req', ({ body, origin }) => this.receive(body, origin));
  }

  /** The one channel table of a session (it registers the session's AppData handler). */
  static of(session: OverlaySession): OverlayChannels {
    let channels = OverlayChannels.bySession.get(session);
    if (!channels) {
      channels = new OverlayChannels(session);
      OverlayChannels.bySession.set(session, channels);
    }
    return channels;
  }

  /** Takes channels others open for `application`. */
  accept(application: number, onConnection: (connection: AppConnection) => void): void {
    this.acceptors.set(application, onConnection);
  }

  /** Opens a channel to `remote` along `destinations` (a registration's route). */
  open(destinations: readonly Destination[], remote: NodeId, application: number): AppConnection {
    if (this.channels.size >= MAX_CHANNELS)
      throw new Error(`more than ${MAX_CHANNELS} relayed channels open`);
    const channelId = randomBytes(16);
    const channel = new OverlayChannel(this.session, application, channelId, destinations, true);
    this.track(key(remote, channelId), channel);
    return {
      socket: channel,
      remoteNodeIds: [remote],
      remoteUser: undefined,
      localAddress: 'p2psip.invalid:0',
    };
  }

  private receive(body: AppDataRequest, origin: NodeId) {
    const id = key(origin, body.channelId);
    let channel = this.channels.get(id);
    if (!channel) {
      const onConnection = this.acceptors.get(body.application);
      if (!onConnection || body.sequence !== 0n || body.replyTo.length === 0) {
        throw new ReloadError(ErrorCode.NotFound, `no ${body.application} channel ${idToHex(origin)}`);
      }
      if (this.channels.size >= MAX_CHANNELS) throw new ReloadError(ErrorCode.Forbidden, 'too many channels');
      channel = new OverlayChannel(this.session, body.application, body.channelId, body.replyTo, false);
      this.track(id, channel);
      onConnection({
        socket: channel,
        remoteNodeIds: [origin],
        remoteUser: undefined,
        localAddress: 'p2psip.invalid:0',
      });
    }
    channel.deliver(body);
    return { type: 'app_data_ans' };
  }

  private track(id: string, channel: OverlayChannel): void {
    this.channels.set(id, channel);
    channel.once('close', () => this.channels.delete(id));
  }
}

function key(origin: NodeId, channelId: Uint8Array): string {
  return `${idToHex(origin)}/${Buffer.from(channelId).toString('hex')}`;
}

/** One relayed channel: writes become AppData requests, AppData to us becomes readable data. */
class OverlayChannel extends Duplex {
  private sendSequence = 0n;
  private receiveSequence = 0n;

  constructor(
    private readonly session: OverlaySession,
    private readonly application: number,
    private readonly channelId: Uint8Array,
    private readonly destinations: readonly Destination[],
    private readonly opener: boolean,
  ) {
    super({ allowHalfOpen: false });
  }

  deliver(body: AppDataRequest): void {
    if (body.sequence < this.receiveSequence) return; // an end-to-end retransmission we already have
    if (body.sequence !== this.receiveSequence) {
      this.destroy(new Error('relayed channel bytes out of order'));
      return;
    }
    this.receiveSequence++;
    if (body.data.length > 0) this.push(Buffer.from(body.data));
    if (body.close) this.push(null);
  }

  override _read(): void {
    // Data is pushed as AppData arrives; flow control is the one-in-flight rule of the sender.
  }

  override _write(chunk: Buffer, _encoding: BufferEncoding, callback: (error?: Error | null) => void): void {
    void this.sendAll(chunk, false).then(() => callback(), callback);
  }

  override _final(callback: (error?: Error | null) => void): void {
    void this.sendAll(Buffer.alloc(0), true).then(() => callback(), callback);
  }

  private async sendAll(data: Buffer, close: boolean): Promise<void> {
    for (let offset = 0; offset < data.length || (close && offset === 0); offset += MAX_APP_DATA_BYTES) {
      const chunk = data.subarray(offset, offset + MAX_APP_DATA_BYTES);
      const last = offset + MAX_APP_DATA_BYTES >= data.length;
      const first = this.sendSequence === 0n;
      const request: AppDataRequest = {
        type: 'app_data_req',
        application: this.application,
        channelId: this.channelId,
        sequence: this.sendSequence++,
        data: chunk,
        close: close && last,
        // The opener says how to reach it, once; the acceptor already knows.
        replyTo: this.opener && first ? this.ownRoute() : [],
      };
      await this.session.request(this.destinations, request);
      if (close && data.length === 0) break;
    }
  }

  private ownRoute(): Destination[] {
    return [
      { kind: 'node', id: this.session.attachment.peerNodeId },
      { kind: 'node', id: this.session.nodeId },
    ];
  }
}
