import { execFile } from 'node:child_process';
import { mkdir, readFile, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { promisify } from 'node:util';
import { fetchConfiguration, obtainIdentity } from '@p2psip/enrollment-client';
import { binPath } from '@p2psip/testing';
import { forEachConcurrently } from '../concurrently';
import { type LongRunning, type ProcessGroup, startLongRunning } from './processes';

const run = promisify(execFile);

export interface BenchOverlayInit {
  readonly workDir: string;
  readonly domain: string;
  /** Every identity's enrollment password (and every phone user's Digest password). */
  readonly password: string;
  readonly peerProcesses: number;
  readonly peersPerProcess: number;
}

export interface BenchOverlay {
  readonly configUrl: string;
  readonly caFile: string;
  readonly bootstrap: string;
  /** Every peer's gRPC address, process by process. */
  readonly peers: readonly string[];
  /** The peer processes' pids (profiling signals). */
  readonly peerPids: readonly number[];
  /** The identity dir of a name (user part) under the work dir. */
  identityDir(user: string): string;
  /** Enrolls each user (user@domain) into its identity dir, `concurrency` at a time; ms taken. */
  enrollUsers(users: readonly string[], concurrency: number): Promise<number>;
}

/**
 * A fresh overlay as the end-to-end suite starts one: an enrollment server (self-registration on,
 * max Node-IDs = peers per process), one bootstrap service published in the configuration, and
 * `peerProcesses` × `peersPerProcess` virtual peers; resolves once `p2psip diag ring` calls the
 * ring consistent.
 */
export async function startBenchOverlay(
  init: BenchOverlayInit,
  processes: ProcessGroup,
): Promise<BenchOverlay> {
  const { workDir, domain, password } = init;
  const identityDir = (user: string): string => path.join(workDir, 'identities', user);
  const caDir = path.join(workDir, 'ca');
  const logs = path.join(workDir, 'logs');
  await mkdir(logs, { recursive: true });
  const admin = (...args: string[]) => run(binPath('p2psip-enrollment'), [...args, '--dir', caDir]);
  await run(binPath('p2psip-enrollment'), ['init', '--overlay', domain, '--dir', caDir]);
  await startLongRunning(processes, {
    name: 'enrollment',
    logFile: path.join(logs, 'enrollment.log'),
    command: binPath('p2psip-enrollment'),
    args: ['serve', '--dir', caDir],
    readyWhen: isReady,
  });
  await admin(
    'config',
    'set',
    ...['--self-registration', 'on', '--max-node-ids', String(init.peersPerProcess)],
  );
  const { https } = JSON.parse(await readFile(path.join(caDir, 'endpoints.json'), 'utf8')) as {
    https: string;
  };
  const configUrl = `https://${https}/.well-known/reload-config`;
  const caFile = path.join(caDir, 'ca.pem');
  const joinArgs = (user: string): string[] => [
    ...['--config-url', configUrl, '--ca', caFile, '--identity', identityDir(user)],
    ...['--user', `${user}@${domain}`, '--password', password],
  ];
  const bootstrapProcess = await startLongRunning(processes, {
    name: 'bootstrap',
    logFile: path.join(logs, 'bootstrap.log'),
    command: binPath('p2psip-bootstrap'),
    args: ['serve', ...joinArgs('bootstrap'), '--probe-interval-ms', '1000'],
    readyWhen: isReady,
  });
  const bootstrap = (JSON.parse(bootstrapProcess.readyLine) as { grpc: string }).grpc;
  await admin('config', 'set', '--bootstrap', bootstrap);

  const peers: string[] = [];
  const peerPids: number[] = [];
  for (let n = 1; n <= init.peerProcesses; n++) {
    const peer = await startLongRunning(processes, {
      name: `peer${n}`,
      logFile: path.join(logs, `peer${n}.log`),
      command: binPath('p2psip-peer'),
      args: [
        'run',
        ...joinArgs(`peer${n}`),
        ...['--count', String(init.peersPerProcess), '--update-interval-ms', '2000'],
        ...(n === 1 ? ['--first'] : []),
      ],
      readyWhen: isReady,
    });
    peers.push(...readyPeers(peer).map((p) => p.address));
    if (peer.child.pid) peerPids.push(peer.child.pid);
  }
  await waitForRing(bootstrap, identityDir('peer1'), init.peerProcesses * init.peersPerProcess);

  const caPem = await readFile(caFile, 'utf8');
  const { configuration } = await fetchConfiguration({ url: configUrl, caPem });
  const enrollmentUrl = configuration.enrollmentServers[0];
  return {
    configUrl,
    caFile,
    bootstrap,
    peers,
    peerPids,
    identityDir,
    enrollUsers: async (users, concurrency) => {
      const started = performance.now();
      await forEachConcurrently(users.length, concurrency, async (i) => {
        const user = users[i] ?? '';
        // A busy server (scrypt for each self-registration) may not answer within the client's
        // 10 s; an identity that made it is kept in its dir and not enrolled again.
        for (let attempt = 1; ; attempt++) {
          try {
            await obtainIdentity({
              dir: identityDir(user),
              caPem,
              enrollmentUrl,
              userName: `${user}@${domain}`,
              password,
            });
            return;
          } catch (error) {
            if (attempt === 3) throw error;
          }
        }
      });
      return performance.now() - started;
    },
  };
}

export interface EdgeInit {
  readonly name: string;
  /** Phone users (user parts) this edge serves; each enrolled already. */
  readonly users: readonly string[];
  /** The peer it attaches to. */
  readonly peer: string;
}

export interface RunningEdge {
  readonly name: string;
  /** `127.0.0.1:<port>` of its UDP listener. */
  readonly udp: string;
  readonly process: LongRunning;
  /** Counts of the JSON events it printed (registered, overlay-error …). */
  readonly events: Map<string, number>;
  /** The first overlay-error lines, as printed. */
  readonly overlayErrors: string[];
}

/** `p2psip sip-edge` for `users`, attached to `peer`, listening on free UDP and TCP ports. */
export async function startEdge(
  overlay: BenchOverlay,
  init: EdgeInit & { domain: string; password: string; workDir: string },
  processes: ProcessGroup,
): Promise<RunningEdge> {
  const usersFile = path.join(init.workDir, `${init.name}-users.txt`);
  await writeFile(
    usersFile,
    [
      `# ${init.name}: <user@domain> <password> <identity-dir>`,
      ...init.users.map((user) => `${user}@${init.domain} ${init.password} ${overlay.identityDir(user)}`),
      '',
    ].join('\n'),
  );
  await overlay.enrollUsers([init.name], 1);
  const events = new Map<string, number>();
  const overlayErrors: string[] = [];
  const edge = await startLongRunning(processes, {
    name: init.name,
    logFile: path.join(init.workDir, 'logs', `${init.name}.log`),
    command: binPath('p2psip'),
    args: [
      ...['sip-edge', '--identity', overlay.identityDir(init.name), '--users', usersFile],
      ...['--domain', init.domain, '--listen', 'udp:127.0.0.1:0', '--listen', 'tcp:127.0.0.1:0'],
      ...['--peer', init.peer, '--json'],
    ],
    readyWhen: (line) => line.includes('"event":"edge-ready"'),
    onLine: (line) => {
      const event = /^\{"event":"([^"]+)"/.exec(line)?.[1];
      if (!event) return;
      events.set(event, (events.get(event) ?? 0) + 1);
      if (event === 'overlay-error' && overlayErrors.length < 20) overlayErrors.push(line);
    },
  });
  const { listen } = JSON.parse(edge.readyLine) as { listen: string[] };
  const udp = listen.find((spec) => spec.startsWith('udp:'))?.slice('udp:'.length);
  if (!udp) throw new Error(`${init.name} has no UDP listener: ${edge.readyLine}`);
  return { name: init.name, udp, process: edge, events, overlayErrors };
}

export interface AorCheck {
  readonly aor: string;
  /** `p2psip lookup` found a registration. */
  readonly found: boolean;
  readonly entries: number;
  /** `p2psip stat`: the responsible peer and the replicas that hold the same values. */
  readonly copies: number;
}

/** `p2psip lookup` and `p2psip stat` of an AOR through `peer`, as an operator checks a registration. */
export async function checkAor(
  overlay: BenchOverlay,
  aor: string,
  as: string,
  peer: string,
): Promise<AorCheck> {
  const common = ['--identity', overlay.identityDir(as), '--peer', peer, '--json'];
  const lookup = await cliJson<{ found: boolean; entries: unknown[] }>(['lookup', aor, ...common]);
  const name = aor.replace(/^sips?:/, '');
  const stat = await cliJson<{ copies: number }>(['stat', name, '--kind', 'SIP-REGISTRATION', ...common]);
  return {
    aor,
    found: lookup?.found ?? false,
    entries: lookup?.entries.length ?? 0,
    copies: stat?.copies ?? 0,
  };
}

/** A `p2psip … --json` answer; exit codes such as 4 (no registration) still print one. */
async function cliJson<T>(args: readonly string[]): Promise<T | undefined> {
  const stdout = await run(binPath('p2psip'), args).then(
    (result) => result.stdout,
    (error: { stdout?: string }) => error.stdout ?? '',
  );
  try {
    return JSON.parse(stdout) as T;
  } catch {
    return undefined;
  }
}

function isReady(line: string): boolean {
  return line.includes('"msg":"ready"');
}

function readyPeers(peer: LongRunning): { nodeId: string; address: string }[] {
  return (JSON.parse(peer.readyLine) as { peers: { nodeId: string; address: string }[] }).peers;
}

async function waitForRing(bootstrap: string, identityDir: string, peers: number): Promise<void> {
  const deadline = Date.now() + 180_000;
  let last = '';
  while (Date.now() < deadline) {
    try {
      const { stdout } = await run(binPath('p2psip'), [
        ...['diag', 'ring', '--bootstrap', bootstrap, '--identity', identityDir, '--json'],
      ]);
      last = stdout;
      const report = JSON.parse(stdout) as { peers: number; consistent: boolean };
      if (report.consistent && report.peers === peers) return;
    } catch (error) {
      last = String(error);
    }
    await sleep(1000);
  }
  throw new Error(`no consistent ring of ${peers} peers within 180 s; last: ${last.slice(0, 500)}`);
}
