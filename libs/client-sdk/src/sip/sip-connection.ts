import {
  type SipMessage,
  SipParseError,
  type SipRequest,
  type SipResponse,
  SipStreamFramer,
  createResponse,
  parseCSeq,
  requiredHeadersProblem,
  serializeSipMessage,
} from '@p2psip/sip';
import { TypedEmitter } from '@p2psip/overlay';
import type { AppConnection } from '../app-channel/tls-channel';

export interface SipConnectionEvents {
  request: (request: SipRequest) => void;
  response: (response: SipResponse) => void;
  close: () => void;
}

/**
 * SIP over one AppAttach TLS connection (RFC 3261 §18.3 stream framing). Malformed requests are
 * answered 400 when their head can be read, and the connection is closed on framing garbage:
 * nothing a remote sends can throw out of here.
 */
export class SipConnection extends TypedEmitter<SipConnectionEvents> {
  private readonly framer = new SipStreamFramer();
  private closed = false;

  constructor(readonly channel: AppConnection) {
    super();
    const socket = channel.socket;
    socket.on('data', (chunk: Buffer) => this.receive(chunk));
    socket.on('error', () => this.close());
    socket.on('close', () => this.finish());
  }

  /** Where this end of the connection is, for Via and Contact. */
  get localAddress(): string {
    return this.channel.localAddress;
  }

  send(message: SipMessage): void {
    if (this.closed) return;
    this.channel.socket.write(serializeSipMessage(message));
  }

  close(): void {
    if (this.closed) return;
    this.channel.socket.end();
    setTimeout(() => this.channel.socket.destroy(), 1000).unref();
    this.finish();
  }

  get isClosed(): boolean {
    return this.closed;
  }

  private receive(chunk: Buffer): void {
    let messages: SipMessage[];
    try {
      messages = this.framer.push(chunk);
    } catch (error) {
      if (!(error instanceof SipParseError)) throw error;
      this.close();
      return;
    }
    for (const message of messages) this.dispatch(message);
  }

  private dispatch(message: SipMessage): void {
    const problem = requiredHeadersProblem(message);
    if (problem) {
      if (message.kind === 'request' && message.method !== 'ACK') this.answerBadRequest(message, problem);
      return;
    }
    if (message.kind === 'request') this.emit('request', message);
    else this.emit('response', message);
  }

  /** 400 when the request carries enough (Via, CSeq …) to be answered at all; else silence. */
  private answerBadRequest(request: SipRequest, problem: string): void {
    try {
      this.send(createResponse(request, 400, `Bad Request (${problem})`));
    } catch {
      // Nothing to address a response with: RFC 3261 §8.2.2 lets us drop it.
    }
  }

  private finish(): void {
    if (this.closed) return;
    this.closed = true;
    this.emit('close');
  }
}

/** The CSeq method of a response (which request it answers). */
export function cseqMethod(message: SipMessage): string | undefined {
  const cseq = message.headers.get('CSeq');
  try {
    return cseq ? parseCSeq(cseq).method : undefined;
  } catch {
    return undefined;
  }
}
