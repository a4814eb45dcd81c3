import { type ChildProcess, spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { createInterface } from 'node:readline';
import { readIdentity } from '@p2psip/enrollment-client';
import { idToBytes, idToHex, nodeIdFromBytes, randomNodeId } from '@p2psip/identity';
import { bootstrapV1, diagnosticsV1 } from '@p2psip/proto';
import { callUnary, clientCredentials, createClient } from '@p2psip/rpc';
import { percentile } from './latency';

// Ring benchmark and scale check (issue: N peers in several processes form one ring within 60 s;
// route probes end at the responsible peer with mean hops ≤ ½·log2 N + 1; route latency p50/p99;
// RSS per virtual peer). Runs the real local deployment (`npm start`'s launcher) on loopback.

const repoRoot = path.resolve(__dirname, '..', '..', '..');
const PEERS = Number(process.env.BENCH_PEERS ?? 50);
const PROBES = Number(process.env.BENCH_PROBES ?? 1000);
const CONCURRENCY = Number(process.env.BENCH_CONCURRENCY ?? 8);
const PER_PROCESS = Number(process.env.BENCH_PEERS_PER_PROCESS ?? 8);

interface Deployment {
  bootstrap: string[];
  processes: { name: string; pid: number }[];
}

async function main(): Promise<void> {
  const stateDir = mkdtempSync(path.join(tmpdir(), 'p2psip-bench-ring-'));
  const launcher = spawn(
    process.execPath,
    [
      path.join(repoRoot, 'tools/local-deployment/dist/main.cjs'),
      '--state-dir',
      stateDir,
      '--peers',
      String(PEERS),
      '--peers-per-process',
      String(PER_PROCESS),
    ],
    {
      stdio: ['ignore', 'pipe', 'inherit'],
    },
  );
  try {
    const started = Date.now();
    await readyLine(launcher);
    const deployment = JSON.parse(readFileSync(path.join(stateDir, 'deployment.json'), 'utf8')) as Deployment;
    const identity = await readIdentity(path.join(stateDir, 'peer-1'));
    if (!identity) throw new Error('no peer identity');
    const credentials = clientCredentials(identity);
    const bootstrap = createClient(
      bootstrapV1.BootstrapServiceClient,
      deployment.bootstrap[0] ?? '',
      credentials,
    );
    const peers = await consistentRing(bootstrap, credentials, 120_000);
    const formedMs = Date.now() - started;
    bootstrap.close();

    const ids = peers.map((peer) => peer.nodeId).sort((a, b) => (a < b ? -1 : a > b ? 1 : 0));
    const clients = peers.map((peer) => ({
      peer,
      client: createClient(diagnosticsV1.DiagnosticsServiceClient, peer.address, credentials),
    }));
    const hops: number[] = [];
    const latencies: number[] = [];
    let misrouted = 0;
    const probeStarted = performance.now();
    let next = 0;
    await Promise.all(
      Array.from({ length: CONCURRENCY }, async () => {
        while (next < PROBES) {
          next++;
          const from = clients[Math.floor(Math.random() * clients.length)];
          if (!from) continue;
          const target = randomNodeId();
          const responsible = ids.find((id) => id >= target) ?? ids[0];
          const t0 = performance.now();
          // One routed request per probe (ProbeRoute: a ping to the Resource-ID, answered by the
          // responsible peer), as a lookup costs; the diagnostics call itself is local to the peer.
          const answer = await callUnary(
            from.client,
            'probeRoute',
            { destinationId: idToBytes(target), nodeId: idToBytes(from.peer.nodeId) },
            { timeoutMs: 10_000 },
          );
          latencies.push(performance.now() - t0);
          hops.push(answer.hops);
          const last = nodeIdFromBytes(answer.responsibleNodeId);
          if (last !== responsible) misrouted++;
        }
      }),
    );
    const probeSeconds = (performance.now() - probeStarted) / 1000;
    for (const { client } of clients) client.close();

    const peerProcesses = deployment.processes.filter((p) => p.name.startsWith('peer-'));
    const rssKb = peerProcesses.map((p) => rssOf(p.pid));
    const baselineKb = await baselineRss();
    const perPeerKb = (rssKb.reduce((a, b) => a + b, 0) - baselineKb * peerProcesses.length) / PEERS;
    const sorted = [...latencies].sort((a, b) => a - b);
    const meanHops = hops.reduce((a, b) => a + b, 0) / Math.max(1, hops.length);
    const bound = 0.5 * Math.log2(PEERS) + 1;
    console.log(
      `ring benchmark: ${PEERS} peers in ${peerProcesses.length} processes, ${PROBES} route probes, concurrency ${CONCURRENCY}`,
    );
    console.log('| figure | value |');
    console.log('|---|---|');
    console.log(`| ring consistent after start | ${(formedMs / 1000).toFixed(1)} s |`);
    console.log(`| probes ending at the responsible peer | ${PROBES - misrouted} / ${PROBES} |`);
    console.log(`| mean hops (bound ½·log2 N + 1 = ${bound.toFixed(2)}) | ${meanHops.toFixed(2)} |`);
    console.log(
      `| route probes per second (one routed request each) | ${(PROBES / probeSeconds).toFixed(0)} |`,
    );
    console.log(
      `| route latency p50 / p99 | ${percentile(sorted, 50).toFixed(1)} / ${percentile(sorted, 99).toFixed(1)} ms |`,
    );
    console.log(
      `| RSS per virtual peer beyond a process baseline (${(baselineKb / 1024).toFixed(0)} MB) | ${(perPeerKb / 1024).toFixed(2)} MB |`,
    );
  } finally {
    launcher.kill('SIGINT');
    await new Promise((resolve) => launcher.once('exit', resolve));
    rmSync(stateDir, { recursive: true, force: true });
  }
}

function readyLine(child: ChildProcess): Promise<void> {
  return new Promise((resolve, reject) => {
    createInterface({ input: child.stdout! }).on('line', (line) => line === 'ready' && resolve());
    child.once('exit', (code) => reject(new Error(`the deployment exited (${code}) before it was ready`)));
  });
}

async function consistentRing(
  bootstrap: InstanceType<typeof bootstrapV1.BootstrapServiceClient>,
  credentials: ReturnType<typeof clientCredentials>,
  timeoutMs: number,
): Promise<{ nodeId: bigint; address: string }[]> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const listed = (await callUnary(bootstrap, 'listPeers', { sample: 1000 })).peers.map((p) => ({
      nodeId: nodeIdFromBytes(p.nodeId),
      address: p.address,
    }));
    listed.sort((a, b) => (a.nodeId < b.nodeId ? -1 : 1));
    if (listed.length === PEERS && (await linksMatch(listed, credentials))) return listed;
    if (Date.now() > deadline)
      throw new Error(`no consistent ring of ${PEERS} within ${timeoutMs} ms (${listed.length} listed)`);
    await new Promise((resolve) => setTimeout(resolve, 1000));
  }
}

async function linksMatch(
  peers: { nodeId: bigint; address: string }[],
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

function rssOf(pid: number): number {
  const status = readFileSync(`/proc/${pid}/status`, 'utf8');
  return Number(/VmRSS:\s+(\d+)/.exec(status)?.[1] ?? 0);
}

/** RSS of a peer process hosting one virtual peer's worth of code, loaded but idle: a bundle baseline. */
async function baselineRss(): Promise<number> {
  const child = spawn(
    process.execPath,
    [
      '-e',
      `require(${JSON.stringify(path.join(repoRoot, 'apps/peer/dist/main.cjs'))}); setTimeout(() => {}, 3000);`,
      '--',
      '--help',
    ],
    { stdio: 'ignore' },
  );
  await new Promise((resolve) => setTimeout(resolve, 1500));
  const rss = child.pid ? rssOf(child.pid) : 0;
  child.kill();
  return rss;
}

main().catch((error: unknown) => {
  console.error(error);
  process.exitCode = 1;
});
