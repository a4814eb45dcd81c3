import { constants, createMessage, decode, type StunMessage } from '@msimerson/stun';
import { createHash } from 'node:crypto';
import { createSocket } from 'node:dgram';
import { writeFileSync } from 'node:fs';
import path from 'node:path';
import { connect } from '@nats-io/transport-node';
import {
  type AppProcess,
  type CoturnHandle,
  type NatsServerHandle,
  type TempDir,
  binPath,
  createTempDir,
  findCommand,
  freeTcpUdpPort,
  spawnApp,
  startCoturn,
  startNatsServer,
} from '@p2psip/testing';
import { type RunningBootstrap, startBootstrap } from './support/bootstrap-server';
import { type RunningEnrollment, startEnrollment } from './support/enrollment-server';
import { type RunningPeerProcess, startPeerProcess } from './support/peer-process';
import { runBin, runBinOk, runCommand } from './support/run-bin';
import { waitFor } from './support/wait-for';

const overlay = 'p2psip.test';
const CHECK_INTERVAL_MS = 1000;
const ADVERTISE_LIFETIME_S = 12;
const SECRET = 'relay-e2e-shared-secret';
const CLI_PASSWORD = 'relay-e2e-cli';

interface RelayJson {
  address: string;
  urls: string[];
  health: string;
  allocations: number;
  rttMs: number;
  credentials?: { username: string; password: string; realm: string; expiresAt: string };
}
interface OverlayRelayJson {
  address: string;
  method: 'redir' | 'find';
  provider?: string;
  signer: string | null;
  lifetimeS: number;
}

// Issue 7 from the outside: coturn servers, the relay service as a process (enrolled, health
// checks, NATS, TURN-SERVICE in the overlay), the `p2psip relays` CLI, and coturn's own client.
describe('e2e — relay discovery with coturn', () => {
  let work: TempDir;
  let nats: NatsServerHandle;
  let enrollment: RunningEnrollment;
  let bootstrap: RunningBootstrap;
  let peers: RunningPeerProcess;
  let relay: AppProcess;
  let relayGrpc: string;
  let relayNodeId: string;
  const coturns: CoturnHandle[] = [];
  let caFile: string;
  let configUrl: string;
  const healthEvents: { relay: string; health: string; atMs: number }[] = [];
  let closeNats: () => Promise<void>;

  const identity = (name: string): string => path.join(work.path, name);
  const relays = async (...extra: string[]): Promise<RelayJson[]> =>
    (
      JSON.parse(
        await runBinOk(
          'p2psip',
          'relays',
          '--relay',
          relayGrpc,
          '--identity',
          identity('alice'),
          '--json',
          ...extra,
        ),
      ) as { relays: RelayJson[] }
    ).relays;
  const overlayRelays = async (count = 3): Promise<OverlayRelayJson[]> =>
    (
      JSON.parse(
        await runBinOk(
          'p2psip',
          ...[
            'relays',
            '--via-overlay',
            '--peer',
            peers.peers[0]?.address ?? '',
            '--identity',
            identity('alice'),
            '--config-url',
            configUrl,
          ],
          ...['--count', String(count), '--attempts', '40', '--json'],
        ),
      ) as { relays: OverlayRelayJson[] }
    ).relays;
  const uclient = (relayAddress: string, user: string, password: string) => {
    const [host, port] = [relayAddress.split(':')[0] ?? '', relayAddress.split(':')[1] ?? ''];
    return runCommand(findCommand('turnutils_uclient') ?? 'turnutils_uclient', [
      ...['-u', user, '-w', password, '-p', port, '-n', '2', '-m', '1', '-y', host],
    ]);
  };

  beforeAll(async () => {
    work = await createTempDir('relay-e2e');
    nats = await startNatsServer({ jetstream: false });
    const connection = await connect({ servers: nats.url });
    const subscription = connection.subscribe(`p2psip.${overlay}.relay.health`, {
      callback: (_error, message) => {
        const event = message.json<{ relay: string; health: string }>();
        healthEvents.push({ ...event, atMs: Date.now() });
      },
    });
    closeNats = async () => {
      subscription.unsubscribe();
      await connection.close();
    };
    const caDir = identity('ca');
    await runBinOk('p2psip-enrollment', 'init', '--overlay', overlay, '--dir', caDir);
    enrollment = await startEnrollment(caDir, ['--signing-workers', '1']);
    for (const user of ['bootstrap', 'relay', 'relay2', 'peer', 'alice']) {
      await runBinOk(
        'p2psip-enrollment',
        'user',
        'add',
        `${user}@${overlay}`,
        '--password',
        'pw',
        '--dir',
        caDir,
      );
    }
    configUrl = `https://${enrollment.endpoints.https}/.well-known/reload-config`;
    caFile = path.join(caDir, 'ca.pem');
    bootstrap = await startBootstrap([
      ...['--config-url', configUrl, '--ca', caFile, '--identity', identity('bootstrap')],
      ...['--user', `bootstrap@${overlay}`, '--password', 'pw', '--probe-interval-ms', '1000'],
    ]);
    await runBinOk('p2psip-enrollment', 'config', 'set', '--bootstrap', bootstrap.grpc, '--dir', caDir);
    peers = await startPeerProcess([
      ...['--config-url', configUrl, '--ca', caFile, '--identity', identity('peer')],
      ...['--user', `peer@${overlay}`, '--password', 'pw', '--count', '4', '--first'],
    ]);
    await runBinOk(
      'p2psip',
      'enroll',
      ...['--config-url', configUrl, '--ca', caFile, '--identity', identity('alice')],
      ...['--user', `alice@${overlay}`, '--password', 'pw'],
    );
    for (let i = 0; i < 3; i++)
      coturns.push(await startCoturn({ secret: SECRET, realm: overlay, cliPassword: CLI_PASSWORD }));
    writeFileSync(identity('turn-secret'), `${SECRET}\n`);
    writeFileSync(identity('cli-password'), `${CLI_PASSWORD}\n`);
    relay = await spawnApp(binPath('p2psip-relay'), {
      args: [
        'serve',
        ...['--config-url', configUrl, '--ca', caFile, '--identity', identity('relay')],
        ...['--user', `relay@${overlay}`, '--password', 'pw'],
        ...coturns.flatMap((coturn) => ['--turn', `${coturn.address}?cli=${coturn.cli.port}`]),
        ...[
          '--turn-secret-file',
          identity('turn-secret'),
          '--turn-cli-password-file',
          identity('cli-password'),
        ],
        ...['--check-interval-ms', String(CHECK_INTERVAL_MS), '--nats-url', nats.url],
        ...['--peer', peers.peers[0]?.address ?? '', '--turn-density', '5'],
        ...['--advertise-lifetime-s', String(ADVERTISE_LIFETIME_S)],
      ],
      readyWhen: (line) => line.includes('"msg":"ready"'),
    });
    const ready = relay.output.find((line) => line.includes('"msg":"ready"')) ?? '{}';
    ({ grpc: relayGrpc, nodeId: relayNodeId } = JSON.parse(ready) as { grpc: string; nodeId: string });
  }, 180_000);

  afterAll(async () => {
    await relay?.stop();
    await Promise.all(coturns.map((coturn) => coturn.stop()));
    await peers?.app.stop();
    await bootstrap?.app.stop();
    await enrollment?.app.stop();
    await closeNats?.();
    await nats?.stop();
    await work?.remove();
  });

  it('hands out relays with credentials that coturn’s own client allocates with, and refuses them after expiry', async () => {
    const found = await relays('--ttl-s', '3');
    expect(found).toHaveLength(3);
    const [best] = found;
    expect(best?.health).toBe('healthy');
    expect(best?.urls).toContain(`turn:${best?.address}?transport=udp`);
    const credentials = best?.credentials;
    expect(credentials?.username).toMatch(/^\d+:alice@p2psip\.test$/);
    expect(credentials?.realm).toBe(overlay);
    const ok = await uclient(best?.address ?? '', credentials?.username ?? '', credentials?.password ?? '');
    expect(ok.stdout).toContain('Total lost packets 0');
    expect(ok.status).toBe(0);

    const expiresAt = Date.parse(credentials?.expiresAt ?? '');
    await new Promise((resolve) => setTimeout(resolve, Math.max(0, expiresAt - Date.now()) + 1500));
    const refused = await uclient(
      best?.address ?? '',
      credentials?.username ?? '',
      credentials?.password ?? '',
    );
    expect(refused.status).not.toBe(0);
    expect(refused.stdout + refused.stderr).toMatch(/Cannot complete Allocation|error 401/i);
  });

  it('ranks the least loaded healthy relay first', async () => {
    const [a, b, c] = coturns as [CoturnHandle, CoturnHandle, CoturnHandle];
    const [credentials] = (await relays('--count', '1')).map((r) => r.credentials);
    if (!credentials) throw new Error('no credentials');
    // a holds 6 allocations, b 3, c none: the order must become c, b, a. (Sessions of the first
    // test's turnutils_uclient may linger a little: at most 2, less than the gaps.)
    const held = [
      ...(await holdAllocations(a, credentials, 6)),
      ...(await holdAllocations(b, credentials, 3)),
    ];
    try {
      // The held allocations must have been counted: lingering sessions alone (a 2, b 1, c 0) can
      // give the same order from a check made before them.
      const countedAndRanked = async (): Promise<boolean> => {
        const ranked = await relays();
        const load = (address: string): number => ranked.find((r) => r.address === address)?.allocations ?? 0;
        return (
          load(a.address) >= 6 &&
          load(b.address) >= 3 &&
          ranked.map((r) => r.address).join(',') === [c.address, b.address, a.address].join(',')
        );
      };
      await waitFor(countedAndRanked, 10 * CHECK_INTERVAL_MS, 'ranking by load');
      const ranked = await relays();
      const loads = ranked.map((r) => r.allocations);
      expect(loads[0]).toBeLessThan(loads[1] ?? 0);
      expect(loads[1]).toBeLessThan(loads[2] ?? 0);
      expect(loads[2]).toBeGreaterThanOrEqual(6);
      process.stdout.write(
        `ranked by load: ${ranked.map((r) => `${r.address}=${r.allocations}`).join(', ')}\n`,
      );
    } finally {
      await Promise.all(held.map((release) => release()));
    }
  });

  it('withdraws a killed coturn within two check intervals everywhere, and brings it back when it returns', async () => {
    const victim = coturns[0];
    await waitFor(
      async () => (await overlayRelays()).some((r) => r.address === victim.address),
      20_000,
      'in overlay',
    );
    const killedAt = Date.now();
    await victim.stop();
    await waitFor(
      async () => !(await relays()).some((r) => r.address === victim.address),
      20_000,
      'withdrawn from FindRelays',
    );
    const withdrawnMs = Date.now() - killedAt;
    const event = healthEvents.find(
      (e) => e.relay === victim.address && e.health === 'unhealthy' && e.atMs >= killedAt,
    );
    expect(event).toBeDefined();
    // Two failed checks: the first one after the kill and the next, plus the check timeout.
    expect((event?.atMs ?? Infinity) - killedAt).toBeLessThan(2 * CHECK_INTERVAL_MS + 2 * 500 + 1500);
    await waitFor(
      async () => !(await overlayRelays()).some((r) => r.address === victim.address),
      10_000,
      'withdrawn from the overlay',
    );
    process.stdout.write(
      `relay withdrawn from FindRelays ${withdrawnMs} ms after the kill, event after ${(event?.atMs ?? 0) - killedAt} ms\n`,
    );

    // Before the start: the relay's next check may see it healthy before startCoturn returns.
    const restartedAt = Date.now();
    const restarted = await startCoturn({
      secret: SECRET,
      realm: overlay,
      port: victim.port,
      cliPort: victim.cli.port,
      cliPassword: CLI_PASSWORD,
    });
    coturns[0] = restarted;
    await waitFor(async () => (await relays()).some((r) => r.address === victim.address), 20_000, 'back');
    // The NATS event travels on its own path: wait for it rather than expect it already here.
    await waitFor(
      () =>
        Promise.resolve(
          healthEvents.some(
            (e) => e.relay === victim.address && e.health === 'healthy' && e.atMs >= restartedAt,
          ),
        ),
      10_000,
      'a healthy event on NATS',
    );
    await waitFor(
      async () => (await overlayRelays()).some((r) => r.address === victim.address),
      20_000,
      'back in overlay',
    );
    // The service stayed registered in ReDiR all along (two relays were left): found through it.
    const back = (await overlayRelays()).find((r) => r.address === victim.address);
    expect(back).toMatchObject({ method: 'redir', provider: relayNodeId });
  });

  it('withdraws a killed managed coturn at once everywhere, and brings it back after the supervisor restarts it', async () => {
    const intervalMs = 2500;
    const restartDelayMs = 5000;
    const [turnPort, cliPort] = [await freeTcpUdpPort(), await freeTcpUdpPort()];
    const managed = `127.0.0.1:${turnPort}`;
    const second = await spawnApp(binPath('p2psip-relay'), {
      args: [
        'serve',
        ...['--config-url', configUrl, '--ca', caFile, '--identity', identity('relay2')],
        ...['--user', `relay2@${overlay}`, '--password', 'pw', '--turn-secret-file', identity('turn-secret')],
        ...['--manage-coturn', '--coturn-port', String(turnPort), '--coturn-cli-port', String(cliPort)],
        ...['--coturn-restart-delay-ms', String(restartDelayMs), '--check-interval-ms', String(intervalMs)],
        ...['--nats-url', nats.url, '--peer', peers.peers[1]?.address ?? '', '--turn-density', '1'],
        ...['--advertise-lifetime-s', String(ADVERTISE_LIFETIME_S)],
      ],
      readyWhen: (line) => line.includes('"msg":"ready"'),
    });
    const secondRelays = async (): Promise<RelayJson[]> =>
      (
        JSON.parse(
          await runBinOk('p2psip', 'relays', '--relay', grpc, '--identity', identity('alice'), '--json'),
        ) as { relays: RelayJson[] }
      ).relays;
    const inOverlay = async (): Promise<OverlayRelayJson | undefined> =>
      (await overlayRelays(8)).find((r) => r.address === managed);
    const ready = JSON.parse(second.output.find((l) => l.includes('"msg":"ready"')) ?? '{}') as {
      grpc: string;
      nodeId: string;
      coturnPid: number;
    };
    const { grpc } = ready;
    try {
      expect((await secondRelays()).map((r) => r.address)).toEqual([managed]);
      await waitFor(async () => (await inOverlay()) !== undefined, 20_000, 'managed relay in the overlay');
      expect(await inOverlay()).toMatchObject({ method: 'redir', provider: ready.nodeId });

      // When the overlay holds each change: the relay logs it once the responsible peer answered.
      const loggedAt = (message: string, after: number): number | undefined => {
        for (const line of second.output) {
          if (!line.includes(`"msg":"${message}"`)) continue;
          const { time } = JSON.parse(line) as { time: number };
          if (time >= after) return time;
        }
        return undefined;
      };
      const killedAt = Date.now();
      process.kill(ready.coturnPid, 'SIGKILL');
      // What a client sees: gone from FindRelays, and from the overlay (ReDiR, then Find).
      await waitFor(
        async () => (await secondRelays()).length === 0,
        4 * intervalMs,
        'withdrawn from FindRelays',
      );
      const seenGoneFromFindMs = Date.now() - killedAt;
      await waitFor(
        async () => (await inOverlay()) === undefined,
        4 * intervalMs,
        'withdrawn from the overlay',
      );
      const seenGoneFromOverlayMs = Date.now() - killedAt;
      // When it happened: FindRelays changes with the health (the NATS event), the overlay when the
      // removals are stored — all well within two health intervals, as the supervisor saw the exit.
      const event = (health: string, after: number) =>
        healthEvents.find((e) => e.relay === managed && e.health === health && e.atMs >= after);
      // The NATS events travel on their own path: wait for them rather than expect them already here.
      await waitFor(
        () => Promise.resolve(event('unhealthy', killedAt) !== undefined),
        10_000,
        'unhealthy on NATS',
      );
      const down = event('unhealthy', killedAt);
      const turnGoneAt = loggedAt('withdrew TURN-SERVICE', killedAt);
      const redirGoneAt = loggedAt('ReDiR registration withdrawn', killedAt);
      expect(down).toBeDefined();
      const [downMs, turnGoneMs, redirGoneMs] = [down?.atMs, turnGoneAt, redirGoneAt].map(
        (at) => (at ?? Infinity) - killedAt,
      ) as [number, number, number];
      expect(downMs).toBeLessThan(2 * intervalMs);
      expect(turnGoneMs).toBeLessThan(2 * intervalMs);
      expect(redirGoneMs).toBeLessThan(2 * intervalMs);

      const restarted = await second.waitForLine(
        (line) => line.includes('"msg":"coturn started"') && !line.includes(`"pid":${ready.coturnPid},`),
        restartDelayMs + 10_000,
      );
      const restartedAt = (JSON.parse(restarted) as { time: number }).time;
      await waitFor(async () => (await secondRelays()).length === 1, 4 * intervalMs, 'back in FindRelays');
      const seenBackInFindMs = Date.now() - killedAt;
      await waitFor(async () => (await inOverlay()) !== undefined, 6 * intervalMs, 'back in the overlay');
      const seenBackInOverlayMs = Date.now() - killedAt;
      expect(await inOverlay()).toMatchObject({ method: 'redir', provider: ready.nodeId });
      await waitFor(
        () => Promise.resolve(event('healthy', restartedAt) !== undefined),
        10_000,
        'healthy on NATS',
      );
      const up = event('healthy', restartedAt);
      const [upMs, turnBackMs, redirBackMs] = [
        up?.atMs,
        loggedAt('advertised TURN-SERVICE', restartedAt),
        loggedAt('ReDiR registration stored', restartedAt),
      ].map((at) => (at ?? Infinity) - restartedAt) as [number, number, number];
      // Back with the first check after the restart: within one interval, plus the check itself.
      expect(upMs).toBeLessThan(intervalMs + 2000);
      expect(turnBackMs).toBeLessThan(intervalMs + 4000);
      expect(redirBackMs).toBeLessThan(intervalMs + 4000);
      process.stdout.write(
        `managed coturn (checks every ${intervalMs} ms, restart after ${restartDelayMs} ms), after SIGKILL: ` +
          `unhealthy ${downMs} ms, TURN-SERVICE removed ${turnGoneMs} ms, ReDiR removed ${redirGoneMs} ms ` +
          `(a client saw it gone from FindRelays at ${seenGoneFromFindMs} ms, from the overlay at ${seenGoneFromOverlayMs} ms); ` +
          `restarted at ${restartedAt - killedAt} ms, then healthy +${upMs} ms, TURN-SERVICE +${turnBackMs} ms, ` +
          `ReDiR +${redirBackMs} ms (a client saw it back in FindRelays at ${seenBackInFindMs} ms, in the overlay at ${seenBackInOverlayMs} ms)\n`,
      );
      // Stopping the service stops its coturn: it withdraws the relay and its ReDiR registration first.
      const stoppingAt = Date.now();
      await second.stop();
      const stillListed = await overlayRelays(8);
      expect(stillListed.some((r) => r.address === managed || r.provider === ready.nodeId)).toBe(false);
      process.stdout.write(
        `stopped service's managed relay gone from the overlay ${Date.now() - stoppingAt} ms after the stop began\n`,
      );
    } finally {
      await second.stop();
    }
  });

  it('refuses a malformed hint and keeps serving', async () => {
    const result = await runBin(
      'p2psip',
      ...['relays', '--relay', relayGrpc, '--identity', identity('alice'), '--json'],
      ...['--client-address', 'not-an-address'],
    );
    expect(result.status).toBe(1);
    expect((JSON.parse(result.stdout) as { error: { code: string } }).error.code).toBe('BAD_HINT');
    expect((await relays()).length).toBeGreaterThan(0);
  });

  it('refuses an unknown relay address and a missing secret at start with a clear error', async () => {
    const args = (turn: string, secretFile: string) => [
      'serve',
      ...['--config-url', configUrl, '--ca', caFile, '--identity', identity('relay-bad')],
      ...['--turn', turn, '--turn-secret-file', secretFile, '--no-advertise'],
    ];
    const badAddress = await runBin('p2psip-relay', ...args('turn.example:3478', identity('turn-secret')));
    expect(badAddress.status).toBe(1);
    expect(badAddress.stderr).toContain('BAD_RELAY_ADDRESS');
    const noSecret = await runBin('p2psip-relay', ...args('127.0.0.1:3478', identity('missing-secret')));
    expect(noSecret.status).toBe(1);
    expect(noSecret.stderr).toContain('SECRET_FILE_UNREADABLE');
  });

  it('never hands out a coturn with another secret, and says why', async () => {
    const stranger = await startCoturn({ secret: 'another-secret', realm: overlay });
    writeFileSync(identity('turn-secret-2'), `${SECRET}\n`);
    const second = await spawnApp(binPath('p2psip-relay'), {
      args: [
        'serve',
        ...['--config-url', configUrl, '--ca', caFile, '--identity', identity('relay')],
        ...['--turn', stranger.address, '--turn', coturns[1]?.address ?? ''],
        ...['--turn-secret-file', identity('turn-secret-2'), '--no-advertise'],
        ...['--check-interval-ms', String(CHECK_INTERVAL_MS)],
      ],
      readyWhen: (line) => line.includes('"msg":"ready"'),
    });
    try {
      const grpc = (
        JSON.parse(second.output.find((l) => l.includes('"msg":"ready"')) ?? '{}') as { grpc: string }
      ).grpc;
      await second.waitForLine((line) => line.includes('CREDENTIALS_REFUSED'), 10_000);
      const found = JSON.parse(
        await runBinOk('p2psip', 'relays', '--relay', grpc, '--identity', identity('alice'), '--json'),
      ) as { relays: RelayJson[] };
      expect(found.relays.map((r) => r.address)).toEqual([coturns[1]?.address]);
    } finally {
      await second.stop();
      await stranger.stop();
    }
  });

  it('keeps relays findable in the overlay after the relay service stops, until their lifetime ends', async () => {
    await waitFor(async () => (await overlayRelays()).length === 3, 20_000, 'three relays in the overlay');
    const stoppedAt = Date.now();
    await relay.stop();
    const stillThere = await overlayRelays();
    expect(stillThere.length).toBeGreaterThan(0);
    expect(stillThere[0]?.signer).toBe(`relay@${overlay}`);
    // Found through ReDiR: the records outlive the service, as its TURN-SERVICE values do.
    expect(stillThere.every((r) => r.method === 'redir' && r.provider === relayNodeId)).toBe(true);
    await waitFor(
      async () => (await overlayRelays()).length === 0,
      (ADVERTISE_LIFETIME_S + 10) * 1000,
      'expired',
    );
    const goneAfterMs = Date.now() - stoppedAt;
    process.stdout.write(`overlay entries gone ${goneAfterMs} ms after the relay service stopped\n`);
    expect(goneAfterMs).toBeLessThanOrEqual((ADVERTISE_LIFETIME_S + 10) * 1000);
  });
});

/**
 * Holds `count` TURN allocations on a coturn (one UDP socket each, the relay service's
 * credentials) to give it a load; each release sends Refresh(lifetime 0) and closes the socket.
 */
async function holdAllocations(
  coturn: CoturnHandle,
  credentials: { username: string; password: string; realm: string },
  count: number,
): Promise<(() => Promise<void>)[]> {
  const key = createHash('md5')
    .update(`${credentials.username}:${credentials.realm}:${credentials.password}`)
    .digest();
  const releases: (() => Promise<void>)[] = [];
  for (let i = 0; i < count; i++) {
    const socket = createSocket('udp4');
    await new Promise<void>((resolve) => socket.bind(0, '127.0.0.1', resolve));
    const ask = (message: StunMessage): Promise<StunMessage> =>
      new Promise((resolve, reject) => {
        const timer = setTimeout(() => reject(new Error('no TURN answer')), 3000);
        socket.once('message', (bytes) => (clearTimeout(timer), resolve(decode(bytes))));
        socket.send(message.toBuffer(), coturn.port, '127.0.0.1');
      });
    const withAuth = (message: StunMessage, nonce: string): StunMessage => {
      message.addUsername(credentials.username);
      message.addAttribute(constants.STUN_ATTR_REALM, credentials.realm);
      message.addAttribute(constants.STUN_ATTR_NONCE, nonce);
      message.addMessageIntegrity(key);
      return message;
    };
    const allocate = (): StunMessage => {
      const message = createMessage(constants.STUN_ALLOCATE_REQUEST);
      message.addAttribute(constants.STUN_ATTR_REQUESTED_TRANSPORT, 17 << 24);
      return message;
    };
    const challenge = await ask(allocate());
    const nonce = String(challenge.getAttribute(constants.STUN_ATTR_NONCE)?.value);
    const answer = await ask(withAuth(allocate(), nonce));
    expect(answer.type).toBe(constants.STUN_ALLOCATE_RESPONSE);
    releases.push(async () => {
      const refresh = createMessage(constants.STUN_REFRESH_REQUEST);
      refresh.addAttribute(constants.STUN_ATTR_LIFETIME, 0);
      await ask(withAuth(refresh, nonce)).catch(() => undefined);
      socket.close();
    });
  }
  return releases;
}
