import { type SipRequest, SipHeaders, newBranch } from '@p2psip/sip';

/** One side of a dialog as its From/To header names it. */
export interface DialogParty {
  /** `sip:user@domain` */
  readonly uri: string;
  readonly tag?: string;
}

export interface RequestInit {
  readonly method: string;
  readonly requestUri: string;
  readonly from: DialogParty;
  readonly to: DialogParty;
  readonly callId: string;
  readonly cseq: number;
  /** sent-by of our Via (`host:port` of the TLS connection). */
  readonly sentBy: string;
  readonly contact?: string;
  readonly body?: { readonly type: string; readonly data: Buffer };
  /** The branch to use (CANCEL and non-2xx ACK reuse the INVITE's). */
  readonly branch?: string;
}

/** A request as RFC 3261 §8.1.1 wants it built, over TLS. */
export function buildRequest(init: RequestInit): SipRequest {
  const headers = new SipHeaders();
  headers.set('Via', `SIP/2.0/TLS ${init.sentBy};branch=${init.branch ?? newBranch()}`);
  headers.set('Max-Forwards', '70');
  headers.set('From', party(init.from));
  headers.set('To', party(init.to));
  headers.set('Call-ID', init.callId);
  headers.set('CSeq', `${init.cseq} ${init.method}`);
  if (init.contact) headers.set('Contact', `<${init.contact}>`);
  headers.set('User-Agent', 'p2psip');
  if (init.body) headers.set('Content-Type', init.body.type);
  return {
    kind: 'request',
    method: init.method,
    uri: init.requestUri,
    headers,
    body: init.body?.data ?? Buffer.alloc(0),
  };
}

function party(p: DialogParty): string {
  return p.tag ? `<${p.uri}>;tag=${p.tag}` : `<${p.uri}>`;
}

/** A minimal audio offer/answer: the CLI signals only, so the stream is inactive (RFC 3264 §5.1). */
export function inactiveAudioSdp(address: string, sessionId: number): Buffer {
  const host = address.slice(0, address.lastIndexOf(':')) || '127.0.0.1';
  const family = host.includes(':') ? 'IP6' : 'IP4';
  return Buffer.from(
    [
      'v=0',
      `o=p2psip ${sessionId} ${sessionId} IN ${family} ${host}`,
      's=p2psip',
      `c=IN ${family} ${host}`,
      't=0 0',
      'm=audio 9 RTP/AVP 0',
      'a=rtpmap:0 PCMU/8000',
      'a=inactive',
      '',
    ].join('\r\n'),
  );
}
