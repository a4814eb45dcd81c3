import { spawn } from 'node:child_process';
import path from 'node:path';
import { idToBytes, nodeIdFromBytes, randomNodeId } from '@p2psip/identity';
import { diagnosticsV1 } from '@p2psip/proto';
import { callUnary, createClient } from '@p2psip/rpc';
import { percentile } from './latency';
import { repoRoot, rssOf, startDeployment } from './local-deployment';

// Ring benchmark and scale check (issue: N peers in several processes form one ring within 60 s;
// route probes end at the responsible peer with mean hops ≤ ½·log2 N + 1; route latency p50/p99;
// RSS per virtual peer). Runs the real local deployment (`npm start`'s launcher) on loopback.

const PEERS = Number(process.env.BENCH_PEERS ?? 50);
const PROBES = Number(process.env.BENCH_PROBES ?? 1000);
const CONCURRENCY = Number(process.env.BENCH_CONCURRENCY ?? 8);
const PER_PROCESS = Number(process.env.BENCH_PEERS_PER_PROCESS ?? 8);

async function main(): Promise<void> {
  const deployment = await startDeployment({ peers: PEERS, peersPerProcess: PER_PROCESS, name: 'ring' });
  try {
    const { peers, credentials, formedMs } = deployment;
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

    const rssKb = deployment.peerPids.map(rssOf);
    const baselineKb = await baselineRss();
    const perPeerKb = (rssKb.reduce((a, b) => a + b, 0) - baselineKb * rssKb.length) / PEERS;
    const sorted = [...latencies].sort((a, b) => a - b);
    const meanHops = hops.reduce((a, b) => a + b, 0) / Math.max(1, hops.length);
    const bound = 0.5 * Math.log2(PEERS) + 1;
    console.log(
      `ring benchmark: ${PEERS} peers in ${rssKb.length} processes, ${PROBES} route probes, concurrency ${CONCURRENCY}`,
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
    await deployment.stop();
  }
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
