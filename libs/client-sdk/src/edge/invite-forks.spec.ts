import {
  type SipMessage,
  type SipRequest,
  type SipResponse,
  createResponse,
  parseSipMessage,
} from '@p2psip/sip';
import { InviteForks } from './invite-forks';

const invite = parseSipMessage(
  [
    'INVITE sip:carol@p2psip.test SIP/2.0',
    'Via: SIP/2.0/UDP 127.0.0.1:5070;branch=z9hG4bKup',
    'Max-Forwards: 70',
    'From: <sip:alice@p2psip.test>;tag=a',
    'To: <sip:carol@p2psip.test>',
    'Call-ID: forks',
    'CSeq: 7 INVITE',
    'Content-Length: 0',
    '',
    '',
  ].join('\r\n'),
) as SipRequest;

function forwarded(branch: string): SipRequest {
  const copy: SipRequest = { ...invite, headers: invite.headers.clone() };
  copy.headers.prepend('Via', `SIP/2.0/UDP 127.0.0.1:5060;branch=${branch}`);
  return copy;
}

describe('client-sdk — INVITE forks at the edge', () => {
  beforeEach(() => jest.useFakeTimers());
  afterEach(() => jest.useRealTimers());

  function fork(unreliable = true) {
    const forks = new InviteForks({ t1Ms: 500, timerBMs: 32_000 });
    const upstream: SipResponse[] = [];
    const sent: Record<string, SipMessage[]> = { b1: [], b2: [] };
    forks.start(
      'z9hG4bKup',
      invite,
      (r) => upstream.push(r),
      ['b1', 'b2'].map((branch) => ({
        branch,
        forwarded: forwarded(branch),
        send: (m: SipMessage) => sent[branch].push(m),
        unreliable,
      })),
    );
    return { forks, upstream, sent };
  }

  it('retransmits over UDP at T1, 2·T1, 4·T1 … until the branch answers (Timer A)', () => {
    const { forks, sent } = fork();
    jest.advanceTimersByTime(500 + 1000 + 2000);
    expect(sent.b1).toHaveLength(4);
    forks.onResponse('b1', createResponse(sent.b1[0] as SipRequest, 180, 'Ringing', { toTag: 't' }));
    jest.advanceTimersByTime(10_000);
    expect(sent.b1).toHaveLength(4);
    expect(sent.b2.length).toBeGreaterThan(4);
  });

  it('does not retransmit over reliable transports', () => {
    const { sent } = fork(false);
    jest.advanceTimersByTime(10_000);
    expect(sent.b1).toHaveLength(1);
  });

  it('answers 408 upstream when no branch answers within Timer B', () => {
    const { upstream } = fork();
    jest.advanceTimersByTime(32_000);
    expect(upstream.map((r) => r.status)).toEqual([408]);
  });

  it('sends the best failure once every branch failed, and ACKs each failure downstream', () => {
    const { forks, upstream, sent } = fork(false);
    forks.onResponse('b1', createResponse(sent.b1[0] as SipRequest, 486, 'Busy Here', { toTag: 'x' }));
    expect(upstream).toEqual([]);
    forks.onResponse(
      'b2',
      createResponse(sent.b2[0] as SipRequest, 503, 'Service Unavailable', { toTag: 'y' }),
    );
    expect(upstream.map((r) => r.status)).toEqual([486]); // the lower class wins
    const ack = sent.b1[1] as SipRequest;
    expect([ack.method, ack.headers.get('CSeq'), ack.headers.get('To')]).toEqual([
      'ACK',
      '7 ACK',
      '<sip:carol@p2psip.test>;tag=x',
    ]);
    expect(forks.absorbsAck('z9hG4bKup')).toBe(true);
  });

  it('on an upstream CANCEL answers 200 and cancels the pending branches with their own Via', () => {
    const { forks, sent } = fork(false);
    const answers: SipResponse[] = [];
    const cancel: SipRequest = { ...invite, method: 'CANCEL', headers: invite.headers.clone() };
    cancel.headers.set('CSeq', '7 CANCEL');
    expect(forks.cancel('z9hG4bKup', cancel, (r) => answers.push(r))).toBe(true);
    expect(answers.map((r) => r.status)).toEqual([200]);
    const downstream = sent.b2[1] as SipRequest;
    expect([downstream.method, downstream.headers.get('Via'), downstream.headers.get('CSeq')]).toEqual([
      'CANCEL',
      'SIP/2.0/UDP 127.0.0.1:5060;branch=b2',
      '7 CANCEL',
    ]);
  });
});
