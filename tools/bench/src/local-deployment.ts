import { type ChildProcess, spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, readdirSync, readlinkSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { createInterface } from 'node:readline';
import { type StoredIdentity, readIdentity } from '@p2psip/enrollment-client';
import { idToBytes, idToHex, nodeIdFromBytes } from '@p2psip/identity';
import { bootstrapV1, diagnosticsV1 } from '@p2psip/proto';
import { callUnary, clientCredentials, createClient } from '@p2psip/rpc';

// The real local deployment (`npm start`'s launcher) on loopback, as the benchmarks run it: started
// in a fresh state dir, awaited until its ring is consistent, stopped and removed afterwards.

export const repoRoot = path.resolve(__dirname, '..', '..', '..');

/** The part of deployment.json the benchmarks read. */
export interface DeploymentDescription {
  readonly overlay: string;
  readonly configurationUrl: string;
  readonly caFile: string;
  readonly enrollment: { readonly https: string; readonly adminStateDir: string };
  readonly nats: { readonly url: string };
  readonly bootstrap: readonly string[];
  readonly processes: readonly { readonly name: string; readonly pid: number }[];
}

export interface RingPeer {
  readonly nodeId: bigint;
  readonly address: string;
}

export interface RunningDeployment {
  readonly stateDir: string;
  readonly description: DeploymentDescription;
  /** The first peer process's identity: the TLS client certificate the benchmarks present. */
  readonly identity: StoredIdentity;
  readonly credentials: ReturnType<typeof clientCredentials>;
  /** Every peer, sorted by Node-ID, once each one's successor is the next one. */
  readonly peers: readonly RingPeer[];
  /** From spawning the launcher to a consistent ring. */
  readonly formedMs: number;
  /** PIDs of the peer processes (not the enrollment, bootstrap or NATS ones). */
  readonly peerPids: readonly number[];
  stop(): Promise<void>;
}

export interface DeploymentInit {
  readonly peers: number;
  readonly peersPerProcess: number;
  /** Prefix of the temporary state dir's name. */
  readonly name: string;
  /** @default 120_000 */
  readonly ringTimeoutMs?: number;
}

/** Starts the launcher and waits for its `ready` line and a consistent ring; stops it if that fails. */
export async function startDeployment(init: DeploymentInit): Promise<RunningDeployment> {
  const stateDir = mkdtempSync(path.join(tmpdir(), `p2psip-bench-${init.name}-`));
  const started = Date.now();
  const launcher = spawn(
    process.execPath,
    [
      path.join(repoRoot, 'tools/local-deployment/dist/main.cjs'),
      '--state-dir',
      stateDir,
      '--peers',
      String(init.peers),
      '--peers-per-process',
      String(init.peersPerProcess),
    ],
    { stdio: ['ignore', 'pipe', 'inherit'] },
  );
  const stop = async (): Promise<void> => {
    if (launcher.exitCode === null && launcher.signalCode === null) {
      const exited = new Promise((resolve) => launcher.once('exit', resolve));
      launcher.kill('SIGINT');
      await exited;
    }
    rmSync(stateDir, { recursive: true, force: true });
  };
  try {
    await readyLine(launcher);
    const description = JSON.parse(
      readFileSync(path.join(stateDir, 'deployment.json'), 'utf8'),
    ) as DeploymentDescription;
    const identity = await readIdentity(path.join(stateDir, 'peer-1'));
    if (!identity) throw new Error('no peer identity');
    const credentials = clientCredentials(identity);
    const peers = await consistentRing(
      description.bootstrap[0] ?? '',
      credentials,
      init.peers,
      init.ringTimeoutMs ?? 120_000,
    );
    return {
      stateDir,
      description,
      identity,
      credentials,
      peers,
      formedMs: Date.now() - started,
      peerPids: description.processes.filter((p) => p.name.startsWith('peer-')).map((p) => p.pid),
      stop,
    };
  } catch (error) {
    await stop();
    throw error;
  }
}

/**
 * Resolves at the first stdout line `isReady` accepts; rejects when the child exits first or
 * after `timeoutMs`. Keeps reading afterwards, so a chatty child never blocks on a full pipe.
 */
export function readyLine(
  child: ChildProcess,
  isReady: (line: string) => boolean = (line) => line === 'ready',
  timeoutMs = Number.POSITIVE_INFINITY,
): Promise<void> {
  return new Promise((resolve, reject) => {
    const timeout = Number.isFinite(timeoutMs)
      ? setTimeout(() => reject(new Error(`not ready within ${timeoutMs} ms`)), timeoutMs)
      : undefined;
    timeout?.unref(); // an early exit rejects first; the timer must not hold the bench open
    createInterface({ input: child.stdout! }).on('line', (line) => {
      if (!isReady(line)) return;
      clearTimeout(timeout);
      resolve();
    });
    child.once('exit', (code) => reject(new Error(`exited (${code}) before it was ready`)));
  });
}

async function consistentRing(
  bootstrapAddress: string,
  credentials: ReturnType<typeof clientCredentials>,
  count: number,
  timeoutMs: number,
): Promise<RingPeer[]> {
  const bootstrap = createClient(bootstrapV1.BootstrapServiceClient, bootstrapAddress, credentials);
  try {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const listed = (await callUnary(bootstrap, 'listPeers', { sample: 1000 })).peers.map((p) => ({
        nodeId: nodeIdFromBytes(p.nodeId),
        address: p.address,
      }));
      listed.sort((a, b) => (a.nodeId < b.nodeId ? -1 : 1));
      if (listed.length === count && (await linksMatch(listed, credentials))) return listed;
      if (Date.now() > deadline)
        throw new Error(`no consistent ring of ${count} within ${timeoutMs} ms (${listed.length} listed)`);
      await new Promise((resolve) => setTimeout(resolve, 1000));
    }
  } finally {
    bootstrap.close();
  }
}

async function linksMatch(
  peers: readonly RingPeer[],
  credentials: ReturnType<typeof clientCredentials>,
): Promise<boolean> {
  const checks = await Promise.all(
    peers.map(async (peer, i) => {
      const client = createClient(diagnosticsV1.DiagnosticsServiceClient, peer.address, credentials);
      try {
        const { node } = await callUnary(
          client,
          'getNodeInfo',
          { nodeId: idToBytes(peer.nodeId) },
          { timeoutMs: 5000 },
        );
        const successor = node?.successors[0]?.nodeId;
        return (
          successor !== undefined &&
          idToHex(nodeIdFromBytes(successor)) === idToHex(peers[(i + 1) % peers.length]?.nodeId ?? 0n)
        );
      } catch {
        return false;
      } finally {
        client.close();
      }
    }),
  );
  return checks.every(Boolean);
}

/** The Prometheus endpoints (host:port) of the peer processes, from their `ready` log lines. */
export function peerMetricsAddresses(stateDir: string): string[] {
  const logs = path.join(stateDir, 'logs');
  return readdirSync(logs)
    .filter((name) => /^peer-\d+\.log$/.test(name))
    .flatMap((name) =>
      readFileSync(path.join(logs, name), 'utf8')
        .split('\n')
        .flatMap((line) => {
          if (!line.includes('"msg":"ready"')) return [];
          const { metrics } = JSON.parse(line) as { metrics?: string };
          return metrics ? [metrics] : [];
        }),
    );
}

/** Resident set size of a process, in kB (Linux /proc). */
export function rssOf(pid: number): number {
  const status = readFileSync(`/proc/${pid}/status`, 'utf8');
  return Number(/VmRSS:\s+(\d+)/.exec(status)?.[1] ?? 0);
}

/** CPU time a process has used, in clock ticks (USER_HZ, 100 per second on Linux). */
export function cpuTicksOf(pid: number): number {
  // Fields after the command name (which may hold spaces): utime is the 12th, stime the 13th.
  const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  return Number(fields[11]) + Number(fields[12]);
}

/** Open sockets of a process. */
export function socketsOf(pid: number): number {
  return readdirSync(`/proc/${pid}/fd`).filter((fd) => {
    try {
      return readlinkSync(`/proc/${pid}/fd/${fd}`).startsWith('socket:');
    } catch {
      return false;
    }
  }).length;
}
