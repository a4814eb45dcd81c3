import { spawn } from 'node:child_process';
import dgram from 'node:dgram';
import { idToHex } from '@p2psip/identity';
import { type TestNodeIdentity, createTestPki, freeTcpUdpPort, requireCommand } from '@p2psip/testing';
import { dialApp } from '../app-channel/tls-channel';
import { SipConnection } from '../sip/sip-connection';
import { type SipRequest, createResponse, newTag, parseSipMessage, serializeSipMessage } from '@p2psip/sip';
import { type EdgeOverlay, SipEdge } from './sip-edge';

const DOMAIN = 'p2psip.test';

/** sipp as a process: resolves with its exit code and output. */
function sipp(args: string[], timeoutS = 30): Promise<{ code: number | null; output: string }> {
  return new Promise((resolve) => {
    const child = spawn(
      requireCommand('sipp', 'sip-tester'),
      [...args, '-nostdin', '-timeout', `${timeoutS}s`],
      {
        stdio: ['ignore', 'pipe', 'pipe'],
      },
    );
    let output = '';
    child.stdout.on('data', (d: Buffer) => (output += d.toString()));
    child.stderr.on('data', (d: Buffer) => (output += d.toString()));
    child.on('close', (code) => resolve({ code, output }));
  });
}

// Two SIP edges and unmodified UAs (sipp) without the overlay: edge A reaches edge B over the same
// mutual-TLS channel AppAttach would open (the overlay part is in tools/e2e/src/sip-edge.int.spec.ts).
describe('client-sdk — SIP edge as a stateless proxy between phones', () => {
  let edgeA: SipEdge;
  let edgeB: SipEdge;
  let a: TestNodeIdentity;
  let b: TestNodeIdentity;
  const registered: string[] = [];
  const unregistered: string[] = [];

  beforeAll(async () => {
    const pki = await createTestPki();
    a = await pki.issue({ userName: `edge-a@${DOMAIN}` });
    b = await pki.issue({ userName: `edge-b@${DOMAIN}` });
    const overlayOf = (reach: EdgeOverlay['reach']): EdgeOverlay => ({
      register: (aor) => {
        registered.push(aor);
        return Promise.resolve();
      },
      unregister: (aor) => {
        unregistered.push(aor);
        return Promise.resolve();
      },
      reach,
    });
    edgeB = new SipEdge({
      domain: DOMAIN,
      passwords: new Map([[`bob@${DOMAIN}`, 'pw']]),
      nodeHex: idToHex(b.nodeIds[0]),
      identity: b,
      overlay: overlayOf(() => Promise.resolve({ branches: [], notRegistered: true })),
      listen: [{ transport: 'udp', host: '127.0.0.1', port: 0 }],
    });
    await edgeB.start();
    edgeA = new SipEdge({
      domain: DOMAIN,
      passwords: new Map([[`alice@${DOMAIN}`, 'pw']]),
      nodeHex: idToHex(a.nodeIds[0]),
      identity: a,
      overlay: overlayOf(async (aor) => {
        if (aor !== `bob@${DOMAIN}`) return { branches: [], notRegistered: true };
        const channel = await dialApp(edgeB.tlsAddress, a, b.nodeIds[0], { timeoutMs: 5000 });
        return {
          branches: [{ nodeId: idToHex(b.nodeIds[0]), connection: new SipConnection(channel) }],
          notRegistered: false,
        };
      }),
      listen: [
        { transport: 'udp', host: '127.0.0.1', port: 0 },
        { transport: 'tcp', host: '127.0.0.1', port: 0 },
      ],
    });
    await edgeA.start();
  });

  afterAll(async () => {
    await edgeA?.close();
    await edgeB?.close();
  });

  const udpPort = (edge: SipEdge): string => edge.listening.find((l) => l.startsWith('udp:'))!.slice(4);

  it('completes 20 sipp calls from a phone at edge A to a phone at edge B', async () => {
    const uasPort = await freeTcpUdpPort();
    // bob's phone as edge B's registrar stored it (the Digest REGISTER path has its own test).
    edgeB.bindings.update(`bob@${DOMAIN}`, [{ contact: `sip:bob@127.0.0.1:${uasPort}`, expiresS: 300 }], {
      transport: 'udp',
      host: '127.0.0.1',
      port: uasPort,
    });
    const uas = sipp(['-sn', 'uas', '-i', '127.0.0.1', '-p', String(uasPort), '-m', '20']);
    const uac = await sipp([
      '-sn',
      'uac',
      udpPort(edgeA),
      '-s',
      'bob',
      '-i',
      '127.0.0.1',
      '-p',
      String(await freeTcpUdpPort()),
      '-m',
      '20',
      '-r',
      '10',
    ]);
    if (uac.code !== 0) process.stdout.write(uac.output.slice(-3000));
    expect(uac.output).toMatch(/Successful call\s+\|\s+\d+\s+\|\s+20/);
    expect(uac.code).toBe(0);
    expect((await uas).code).toBe(0);
  }, 90_000);

  it('challenges a REGISTER, then accepts the right Digest answer', async () => {
    const socket = dgram.createSocket('udp4');
    await new Promise<void>((resolve) => socket.bind(0, '127.0.0.1', resolve));
    const port = socket.address().port;
    const [host, edgePort] = udpPort(edgeB).split(':');
    const exchange = (text: string) =>
      new Promise<string>((resolve) => {
        socket.once('message', (data) => resolve(data.toString()));
        socket.send(text, Number(edgePort), host);
      });
    const register = (
      cseq: number,
      authorization?: string,
      contact = `<sip:bob@127.0.0.1:${port}>;expires=60`,
    ) =>
      [
        `REGISTER sip:${DOMAIN} SIP/2.0`,
        `Via: SIP/2.0/UDP 127.0.0.1:${port};branch=z9hG4bKreg${cseq};rport`,
        'Max-Forwards: 70',
        `From: <sip:bob@${DOMAIN}>;tag=1`,
        `To: <sip:bob@${DOMAIN}>`,
        'Call-ID: reg-test',
        `CSeq: ${cseq} REGISTER`,
        `Contact: ${contact}`,
        ...(authorization ? [`Authorization: ${authorization}`] : []),
        'Content-Length: 0',
        '',
        '',
      ].join('\r\n');
    const challenge = await exchange(register(1));
    expect(challenge).toMatch(/^SIP\/2\.0 401/);
    const nonce = /nonce="([^"]+)"/.exec(challenge)?.[1] ?? '';
    const { createHash } = await import('node:crypto');
    const md5 = (s: string) => createHash('md5').update(s).digest('hex');
    const digest = (password: string) => {
      const response = md5(`${md5(`bob:${DOMAIN}:${password}`)}:${nonce}:${md5(`REGISTER:sip:${DOMAIN}`)}`);
      return `Digest username="bob", realm="${DOMAIN}", nonce="${nonce}", uri="sip:${DOMAIN}", response="${response}", algorithm=MD5`;
    };
    expect(await exchange(register(2, digest('wrong')))).toMatch(/^SIP\/2\.0 401/);
    const ok = await exchange(register(3, digest('pw')));
    expect(ok).toMatch(/^SIP\/2\.0 200/);
    expect(ok).toMatch(/Contact: <sip:bob@127\.0\.0\.1:\d+>;expires=(59|60)/);
    expect(registered.filter((aor) => aor === `bob@${DOMAIN}`)).toHaveLength(1);
    // A second phone (a new binding): the overlay entry is a route to this edge, not the contacts,
    // so the edge answers from its bindings without storing again.
    const second = await exchange(register(4, digest('pw'), '<sip:bob-desk@127.0.0.1:5999>;expires=30'));
    expect(second).toMatch(/^SIP\/2\.0 200/);
    expect(second).toMatch(/Contact: <sip:bob-desk@127\.0\.0\.1:5999>;expires=(29|30)/);
    expect(registered.filter((aor) => aor === `bob@${DOMAIN}`)).toHaveLength(1);
    // Both removed (`*`, Expires: 0): the edge withdraws the overlay entry.
    const removed = await exchange(
      register(5, digest('pw'), '*').replace('Content-Length', 'Expires: 0\r\nContent-Length'),
    );
    expect(removed).toMatch(/^SIP\/2\.0 200/);
    expect(removed).not.toMatch(/Contact:/);
    expect(unregistered).toContain(`bob@${DOMAIN}`);
    socket.close();
  });

  it('answers 404 for an unknown AOR and 483 when Max-Forwards is spent', async () => {
    const socket = dgram.createSocket('udp4');
    await new Promise<void>((resolve) => socket.bind(0, '127.0.0.1', resolve));
    const port = socket.address().port;
    const [host, edgePort] = udpPort(edgeA).split(':');
    const options = (user: string, maxForwards: number) =>
      [
        `OPTIONS sip:${user}@${DOMAIN} SIP/2.0`,
        `Via: SIP/2.0/UDP 127.0.0.1:${port};branch=z9hG4bKopt${user}${maxForwards}`,
        `Max-Forwards: ${maxForwards}`,
        `From: <sip:alice@${DOMAIN}>;tag=1`,
        `To: <sip:${user}@${DOMAIN}>`,
        `Call-ID: opt-${user}-${maxForwards}`,
        'CSeq: 1 OPTIONS',
        'Content-Length: 0',
        '',
        '',
      ].join('\r\n');
    const ask = (text: string) =>
      new Promise<string>((resolve) => {
        socket.once('message', (data) => resolve(data.toString()));
        socket.send(text, Number(edgePort), host);
      });
    expect(await ask(options('nobody', 70))).toMatch(/^SIP\/2\.0 404/);
    // A phone with the edge as outbound proxy preloads a Route naming it: the edge removes it
    // (RFC 3261 §16.4) instead of sending the request to itself until Max-Forwards runs out.
    const preloaded = options('nobody', 70).replace('CSeq:', `Route: <sip:${host}:${edgePort};lr>\r\nCSeq:`);
    expect(await ask(preloaded.replace(/branch=z9hG4bKopt\w+/, 'branch=z9hG4bKpreloaded'))).toMatch(
      /^SIP\/2\.0 404/,
    );
    expect(await ask(options('bob', 0))).toMatch(/^SIP\/2\.0 483/);
    // OPTIONS to the edge itself (keep-alive pings of phones) is answered by the edge.
    const ping = options('x', 70)
      .replace(`OPTIONS sip:x@${DOMAIN}`, `OPTIONS sip:${DOMAIN}`)
      .replace(/branch=z9hG4bKopt\w+/, 'branch=z9hG4bKping');
    expect(await ask(ping)).toMatch(/^SIP\/2\.0 200/);
    socket.close();
  });

  it('forks an INVITE to both of carol’s phones: the first 200 goes up, the other is cancelled', async () => {
    const quick = await fakePhone(async (_invite, reply) => {
      reply(180);
      await new Promise((resolve) => setTimeout(resolve, 100));
      reply(200);
    });
    const slow = await fakePhone((_invite, reply) => reply(180));
    edgeB.bindings.update(
      `carol@${DOMAIN}`,
      [{ contact: `sip:carol@127.0.0.1:${quick.port}`, expiresS: 60 }],
      {
        transport: 'udp',
        host: '127.0.0.1',
        port: quick.port,
      },
    );
    edgeB.bindings.update(
      `carol@${DOMAIN}`,
      [{ contact: `sip:carol@127.0.0.1:${slow.port}`, expiresS: 60 }],
      {
        transport: 'udp',
        host: '127.0.0.1',
        port: slow.port,
      },
    );
    const caller = await fakePhone(() => undefined);
    const [host, port] = udpPort(edgeB).split(':');
    caller.socket.send(
      [
        `INVITE sip:carol@${DOMAIN} SIP/2.0`,
        `Via: SIP/2.0/UDP 127.0.0.1:${caller.port};branch=z9hG4bKfork1;rport`,
        'Max-Forwards: 70',
        `From: <sip:alice@${DOMAIN}>;tag=a1`,
        `To: <sip:carol@${DOMAIN}>`,
        'Call-ID: fork-test',
        'CSeq: 1 INVITE',
        `Contact: <sip:alice@127.0.0.1:${caller.port}>`,
        'Content-Length: 0',
        '',
        '',
      ].join('\r\n'),
      Number(port),
      host,
    );
    await waitUntil(() => slow.received.includes('ACK') && caller.received.includes('200'));
    expect(slow.received).toEqual(['INVITE', 'CANCEL', 'ACK']);
    expect(slow.sent).toEqual([180, 200, 487]); // 200 for the CANCEL, 487 for the INVITE
    expect(quick.received).toEqual(['INVITE']);
    await new Promise((resolve) => setTimeout(resolve, 200));
    // Upstream: 100 from the edge, ringing, the winning 200; never the cancelled branch's 487.
    expect(caller.received.filter((r) => r !== '180')).toEqual(['100', '200']);
    for (const phone of [quick, slow, caller]) phone.socket.close();
  });
});

/** A scripted UDP phone: records what it receives and answers INVITEs with `onInvite`. */
async function fakePhone(onInvite: (invite: SipRequest, reply: (status: number) => void) => unknown) {
  const socket = dgram.createSocket('udp4');
  await new Promise<void>((resolve) => socket.bind(0, '127.0.0.1', resolve));
  const received: string[] = [];
  const sent: number[] = [];
  let pending: { invite: SipRequest; from: dgram.RemoteInfo } | undefined;
  const toTag = newTag();
  const answer = (request: SipRequest, from: dgram.RemoteInfo, status: number) => {
    sent.push(status);
    socket.send(
      serializeSipMessage(createResponse(request, status, undefined, { toTag })),
      from.port,
      from.address,
    );
  };
  socket.on('message', (data, from) => {
    const message = parseSipMessage(data);
    if (message.kind === 'response') {
      received.push(String(message.status));
      return;
    }
    received.push(message.method);
    if (message.method === 'INVITE') {
      pending = { invite: message, from };
      void onInvite(message, (status) => answer(message, from, status));
    } else if (message.method === 'CANCEL' && pending) {
      answer(message, from, 200);
      answer(pending.invite, pending.from, 487);
    }
  });
  return { socket, port: socket.address().port, received, sent };
}

async function waitUntil(condition: () => boolean, timeoutMs = 5000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!condition()) {
    if (Date.now() > deadline) throw new Error('condition not met in time');
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}
