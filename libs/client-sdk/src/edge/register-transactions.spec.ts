import { type SipRequest, type SipResponse, createResponse, parseSipMessage } from '@p2psip/sip';
import { RegisterTransactions } from './register-transactions';

const register = (branch: string) =>
  parseSipMessage(
    [
      'REGISTER sip:p2psip.test SIP/2.0',
      `Via: SIP/2.0/UDP 127.0.0.1:5070;branch=${branch}`,
      'Max-Forwards: 70',
      'From: <sip:bob@p2psip.test>;tag=1',
      'To: <sip:bob@p2psip.test>',
      'Call-ID: r',
      'CSeq: 1 REGISTER',
      'Content-Length: 0',
      '',
      '',
    ].join('\r\n'),
  ) as SipRequest;

describe('client-sdk — REGISTER server transactions', () => {
  it('absorbs a retransmission while the registrar works, and repeats its answer afterwards', async () => {
    let finish: (response: SipResponse) => void = () => undefined;
    let calls = 0;
    const sent: number[] = [];
    const transactions = new RegisterTransactions<string>(
      (request) => {
        calls++;
        return new Promise<SipResponse>((resolve) => {
          finish = (response) => resolve(response);
          void request;
        });
      },
      (response) => sent.push(response.status),
    );
    const first = transactions.handle(register('z9hG4bKa'), 'phone');
    await transactions.handle(register('z9hG4bKa'), 'phone'); // retransmitted while storing
    expect([calls, sent]).toEqual([1, []]);
    const ok = createResponse(register('z9hG4bKa'), 200, 'OK');
    finish(ok);
    await first;
    await transactions.handle(register('z9hG4bKa'), 'phone'); // retransmitted after the 200
    expect([calls, sent]).toEqual([1, [200]]);
    void transactions.handle(register('z9hG4bKb'), 'phone'); // a new REGISTER is a new transaction
    expect(calls).toBe(2);
  });
});
