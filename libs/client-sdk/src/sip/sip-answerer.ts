import { normalizeAor } from '@p2psip/identity';
import { type SipRequest, createResponse, newTag, parseNameAddr } from '@p2psip/sip';
import { APPLICATION_SIP, TypedEmitter } from '@p2psip/overlay';
import { answerAppAttach } from '../app-channel/app-attach';
import { OverlayChannels } from '../app-channel/overlay-channel';
import { type AppConnection, type AppListener, listenForApps } from '../app-channel/tls-channel';
import type { ClientIdentity, OverlaySession } from '../overlay-session';
import { SipConnection } from './sip-connection';
import { inactiveAudioSdp } from './sip-requests';

/** What `p2psip listen` reports, one object per event. */
export type ListenEvent =
  | {
      readonly event: 'message';
      readonly from: string;
      readonly to: string;
      readonly contentType: string;
      readonly text: string;
      readonly callId: string;
    }
  | {
      readonly event: 'call';
      readonly state: 'ringing' | 'answered' | 'established' | 'ended' | 'cancelled';
      readonly from: string;
      readonly to: string;
      readonly callId: string;
    };

export interface SipAnswererInit {
  readonly identity: ClientIdentity;
  /** AORs (`user@domain`) this client answers for; requests for others get 404. */
  readonly aors: readonly string[];
  /** How long an INVITE rings before it is answered. @default 500 */
  readonly ringMs?: number;
}

interface ServerCall {
  readonly invite: SipRequest;
  readonly connection: SipConnection;
  readonly toTag: string;
  state: 'ringing' | 'answered' | 'established' | 'ended' | 'cancelled';
  timer?: NodeJS.Timeout;
}

const ALLOW = 'INVITE, ACK, BYE, CANCEL, MESSAGE, OPTIONS';

/**
 * The answering side of `p2psip listen` (a user agent server, RFC 3261 §8.2): a TLS listener that
 * AppAttach answers point callers to (`answerAppAttachOf`); it takes MESSAGE (200) and INVITE (180, then 200 with an inactive
 * audio answer), ACK, BYE and CANCEL on the connections that arrive, and reports each as an event.
 */
export class SipAnswerer extends TypedEmitter<{ event: (event: ListenEvent) => void }> {
  private readonly calls = new Map<string, ServerCall>();

  private constructor(
    private readonly init: SipAnswererInit,
    private readonly listener: AppListener,
  ) {
    super();
  }

  static async start(init: SipAnswererInit): Promise<SipAnswerer> {
    // The listener exists before the answerer that handles its connections.
    const holder: { answerer?: SipAnswerer } = {};
    const listener = await listenForApps(init.identity, (channel) => holder.answerer?.accept(channel));
    holder.answerer = new SipAnswerer(init, listener);
    return holder.answerer;
  }

  /**
   * Answers the session's AppAttach requests for SIP with this answerer's listener (or, with
   * `relayOnly`, with no address: callers then relay through our attachment peer), and takes the
   * SIP channels relayed to us through the overlay.
   */
  answerAppAttachOf(session: OverlaySession, options: { relayOnly?: boolean } = {}): void {
    answerAppAttach(session, APPLICATION_SIP, () => (options.relayOnly ? undefined : this.listener.address));
    OverlayChannels.of(session).accept(APPLICATION_SIP, (channel) => this.accept(channel));
  }

  /** SIP over one more application connection (TLS, or relayed through the overlay). */
  accept(channel: AppConnection): void {
    const connection = new SipConnection(channel);
    connection.on('request', (request) => this.onRequest(connection, request));
  }

  /** Where AppAttach sends callers (`host:port`). */
  get address(): string {
    return this.listener.address;
  }

  async close(): Promise<void> {
    for (const call of this.calls.values()) clearTimeout(call.timer);
    await this.listener.close();
  }

  private onRequest(connection: SipConnection, request: SipRequest): void {
    if (request.method === 'ACK') return this.onAck(request);
    if (request.method === 'CANCEL') return this.onCancel(connection, request);
    if (!this.isOurs(request.uri)) {
      return connection.send(createResponse(request, 404, 'Not Found', { toTag: newTag() }));
    }
    switch (request.method) {
      case 'MESSAGE':
        return this.onMessage(connection, request);
      case 'INVITE':
        return this.onInvite(connection, request);
      case 'BYE':
        return this.onBye(connection, request);
      case 'OPTIONS': {
        const response = createResponse(request, 200, 'OK', { toTag: newTag() });
        response.headers.set('Allow', ALLOW);
        return connection.send(response);
      }
      default: {
        const response = createResponse(request, 405, 'Method Not Allowed', { toTag: newTag() });
        response.headers.set('Allow', ALLOW);
        return connection.send(response);
      }
    }
  }

  private onMessage(connection: SipConnection, request: SipRequest): void {
    connection.send(createResponse(request, 200, 'OK', { toTag: newTag() }));
    this.emit('event', {
      event: 'message',
      ...this.parties(request),
      contentType: request.headers.get('Content-Type') ?? '',
      text: request.body.toString('utf8'),
      callId: request.headers.get('Call-ID') ?? '',
    });
  }

  private onInvite(connection: SipConnection, invite: SipRequest): void {
    const callId = invite.headers.get('Call-ID') ?? '';
    if (this.calls.has(callId)) return; // a retransmission; the call is under way
    const call: ServerCall = { invite, connection, toTag: newTag(), state: 'ringing' };
    this.calls.set(callId, call);
    connection.send(createResponse(invite, 100, 'Trying'));
    connection.send(createResponse(invite, 180, 'Ringing', { toTag: call.toTag }));
    this.report(call);
    call.timer = setTimeout(() => this.answer(call), this.init.ringMs ?? 500);
    connection.on('close', () => this.forget(callId));
  }

  private answer(call: ServerCall): void {
    if (call.state !== 'ringing') return;
    const ok = createResponse(call.invite, 200, 'OK', {
      toTag: call.toTag,
      body: inactiveAudioSdp(call.connection.localAddress, Date.now()),
      contentType: 'application/sdp',
    });
    ok.headers.set('Contact', `<sip:${this.init.aors[0] ?? 'p2psip'};transport=tls>`);
    ok.headers.set('Allow', ALLOW);
    call.connection.send(ok);
    call.state = 'answered';
    this.report(call);
  }

  private onAck(ack: SipRequest): void {
    const call = this.calls.get(ack.headers.get('Call-ID') ?? '');
    if (!call || call.state !== 'answered') return;
    call.state = 'established';
    this.report(call);
  }

  private onBye(connection: SipConnection, bye: SipRequest): void {
    const callId = bye.headers.get('Call-ID') ?? '';
    const call = this.calls.get(callId);
    if (!call || (call.state !== 'established' && call.state !== 'answered')) {
      return connection.send(createResponse(bye, 481, 'Call/Transaction Does Not Exist'));
    }
    connection.send(createResponse(bye, 200, 'OK'));
    call.state = 'ended';
    this.report(call);
    this.calls.delete(callId);
  }

  private onCancel(connection: SipConnection, cancel: SipRequest): void {
    const callId = cancel.headers.get('Call-ID') ?? '';
    const call = this.calls.get(callId);
    if (!call) return connection.send(createResponse(cancel, 481, 'Call/Transaction Does Not Exist'));
    connection.send(createResponse(cancel, 200, 'OK'));
    if (call.state !== 'ringing') return; // too late: the 200 went out, the caller sends BYE
    clearTimeout(call.timer);
    call.connection.send(createResponse(call.invite, 487, 'Request Terminated', { toTag: call.toTag }));
    call.state = 'cancelled';
    this.report(call);
    this.calls.delete(callId);
  }

  private forget(callId: string): void {
    const call = this.calls.get(callId);
    if (call) clearTimeout(call.timer);
    this.calls.delete(callId);
  }

  private report(call: ServerCall): void {
    this.emit('event', {
      event: 'call',
      state: call.state,
      ...this.parties(call.invite),
      callId: call.invite.headers.get('Call-ID') ?? '',
    });
  }

  private parties(request: SipRequest): { from: string; to: string } {
    return { from: addressOf(request.headers.get('From')), to: addressOf(request.headers.get('To')) };
  }

  private isOurs(requestUri: string): boolean {
    try {
      return this.init.aors.includes(normalizeAor(requestUri));
    } catch {
      return false;
    }
  }

  protected override onListenerError(error: unknown): void {
    void error; // a printing listener failing must not stop the answering
  }
}

function addressOf(header: string | undefined): string {
  if (!header) return '';
  try {
    return parseNameAddr(header).uri;
  } catch {
    return header;
  }
}
