import { randomBytes } from 'node:crypto';
import { type Socket, createSocket } from 'node:dgram';
import { setTimeout as sleep } from 'node:timers/promises';
import { SEED_SIP_MESSAGES } from '@p2psip/sip/testing';

// Raw SIP over UDP from the test itself: what no well-behaved UA (sipp included) would send.

export interface UdpTarget {
  readonly host: string;
  readonly port: number;
}

export interface FuzzTally {
  readonly sent: number;
  /** Inputs larger than a UDP datagram can carry. */
  readonly tooLarge: number;
  /** Every datagram that came back (final-response retransmissions included). */
  readonly responses: number;
  /** Responses by status code. */
  readonly byStatus: ReadonlyMap<number, number>;
  /** Datagrams that came back but are not SIP responses. */
  readonly other: number;
  /** The first lines of those, each once (at most 10). */
  readonly otherFirstLines: readonly string[];
}

/**
 * The sent-by of each seed message's top Via. The corpus addresses its answers to documentation
 * hosts (pc33.atlanta.example.com:5060 …), so an edge that follows RFC 3261 §18.2.2 answers
 * 127.0.0.1 on those ports, where nobody listens; pointing them at our socket lets the test count
 * the answers. Mutations that damaged the sent-by are left as they are.
 */
const SEED_SENT_BYS = [
  ...new Set(
    SEED_SIP_MESSAGES.flatMap((seed) => {
      const match = /^(?:via|v)[ \t]*:[ \t]*SIP[ \t]*\/[ \t]*2\.0[ \t]*\/[ \t]*\w+[ \t]+([^;,\s]+)/im.exec(
        seed,
      );
      return match?.[1] ? [match[1]] : [];
    }),
  ),
];

/** The corpus input with the sent-by of its Via lines (when still intact) pointing at `local`. */
export function answerTo(input: Buffer, local: string): Buffer {
  const lines = input.toString('latin1').split('\r\n');
  const pointed = lines.map((line) =>
    /^(?:via|v)[ \t]*:/i.test(line)
      ? SEED_SENT_BYS.reduce((text, sentBy) => text.split(sentBy).join(local), line)
      : line,
  );
  return Buffer.from(pointed.join('\r\n'), 'latin1');
}

/**
 * Sends every input as one datagram, paced in small batches so the edge's socket buffer is not
 * what drops them, and counts what comes back until `quietMs` pass without an answer.
 */
export async function sendDatagrams(
  target: UdpTarget,
  inputs: readonly Buffer[],
  options: { batch?: number; pauseMs?: number; quietMs?: number; maxWaitMs?: number } = {},
): Promise<FuzzTally> {
  const { batch = 50, pauseMs = 5, quietMs = 1500, maxWaitMs = 15_000 } = options;
  const socket = await openSocket();
  const local = `127.0.0.1:${socket.address().port}`;
  const byStatus = new Map<number, number>();
  let responses = 0;
  let other = 0;
  const otherFirstLines = new Set<string>();
  let lastAnswerAt = Date.now();
  socket.on('message', (datagram: Buffer) => {
    responses++;
    lastAnswerAt = Date.now();
    const status = /^SIP\/2\.0 (\d{3}) /.exec(datagram.subarray(0, 16).toString('latin1'))?.[1];
    if (status) byStatus.set(Number(status), (byStatus.get(Number(status)) ?? 0) + 1);
    else {
      other++;
      if (otherFirstLines.size < 10) otherFirstLines.add(datagram.toString('latin1').split('\r\n')[0] ?? '');
    }
  });
  let sent = 0;
  let tooLarge = 0;
  try {
    for (let i = 0; i < inputs.length; i += batch) {
      await Promise.all(
        inputs.slice(i, i + batch).map(async (input) => {
          const datagram = answerTo(input, local);
          if (datagram.length > 65_507) {
            tooLarge++;
            return;
          }
          await send(socket, datagram, target);
          sent++;
        }),
      );
      await sleep(pauseMs);
    }
    const deadline = Date.now() + maxWaitMs;
    while (Date.now() - lastAnswerAt < quietMs && Date.now() < deadline) await sleep(100);
  } finally {
    socket.close();
  }
  return { sent, tooLarge, responses, byStatus, other, otherFirstLines: [...otherFirstLines] };
}

/**
 * A valid OPTIONS to the edge, retransmitted every 500 ms (RFC 3261 timer E) until any response
 * arrives; resolves with its status line, or undefined when nothing came within `timeoutMs`.
 */
export async function optionsPing(
  target: UdpTarget,
  domain: string,
  timeoutMs = 8000,
): Promise<string | undefined> {
  const socket = await openSocket();
  const { port } = socket.address();
  const id = randomBytes(8).toString('hex');
  const request = Buffer.from(
    [
      `OPTIONS sip:${domain} SIP/2.0`,
      `Via: SIP/2.0/UDP 127.0.0.1:${port};branch=z9hG4bK${id};rport`,
      'Max-Forwards: 70',
      `From: <sip:probe@${domain}>;tag=${id}`,
      `To: <sip:${domain}>`,
      `Call-ID: ${id}@127.0.0.1`,
      'CSeq: 1 OPTIONS',
      'Accept: application/sdp',
      'Content-Length: 0',
      '',
      '',
    ].join('\r\n'),
  );
  try {
    const answered = new Promise<string>((resolve) =>
      socket.once('message', (datagram: Buffer) =>
        resolve(datagram.toString('latin1').split('\r\n')[0] ?? ''),
      ),
    );
    const deadline = Date.now() + timeoutMs;
    while (Date.now() < deadline) {
      await send(socket, request, target);
      const line = await Promise.race([answered, sleep(500).then(() => undefined)]);
      if (line !== undefined) return line;
    }
    return undefined;
  } finally {
    socket.close();
  }
}

async function openSocket(): Promise<Socket> {
  const socket = createSocket('udp4');
  await new Promise<void>((resolve, reject) => {
    socket.once('error', reject);
    socket.bind(0, '127.0.0.1', () => resolve());
  });
  return socket;
}

function send(socket: Socket, datagram: Buffer, target: UdpTarget): Promise<void> {
  return new Promise((resolve, reject) =>
    socket.send(datagram, target.port, target.host, (error) => (error ? reject(error) : resolve())),
  );
}
