import { spawn } from 'node:child_process';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { idToBytes, nodeIdFromBytes, randomNodeId } from '@p2psip/identity';
import { diagnosticsV1 } from '@p2psip/proto';
import { callUnary, createClient } from '@p2psip/rpc';
import { percentile } from './latency';
import { cpuTicksOf, repoRoot, rssOf, socketsOf, startDeployment } from './local-deployment';
import { singlePeerProcessRss } from './single-peer-process';

// Ring benchmark and scale check (issue: N peers in several processes form one ring within 60 s;
// route probes end at the responsible peer with mean hops ≤ ½·log2 N + 1; route latency p50/p99;
// RSS per virtual peer). Runs the real local deployment (`npm start`'s launcher) on loopback.

const PEERS = Number(process.env.BENCH_PEERS ?? 50);
const PROBES = Number(process.env.BENCH_PROBES ?? 1000);
// Concurrency 1 measures a route's latency on an otherwise idle overlay; higher levels measure
// throughput, where latency grows with the queue (Little's law) once the cores are busy.
const CONCURRENCY = (process.env.BENCH_CONCURRENCY ?? '1,8').split(',').map(Number);
const IDLE_SECONDS = Number(process.env.BENCH_IDLE_SECONDS ?? 10);
const PER_PROCESS = Number(process.env.BENCH_PEERS_PER_PROCESS ?? 8);
/** The launcher's peer processes run `--heap auto`: lean from 16 virtual peers (apps/peer heap-mode.ts). */
const HEAP: 'lean' | 'fast' = PER_PROCESS >= 16 ? 'lean' : 'fast';
// How long the one-peer baseline process is watched after it joined (its lowest RSS counts).
const SINGLE_PEER_WINDOW_MS = 45_000;

async function main(): Promise<void> {
  const deployment = await startDeployment({ peers: PEERS, peersPerProcess: PER_PROCESS, name: 'ring' });
  try {
    const { peers, credentials, formedMs } = deployment;
    // Before the bench opens a diagnostics connection to every peer (its own load, not the overlay's).
    const formedRssKb = deployment.peerPids.map(rssOf);
    const ids = peers.map((peer) => peer.nodeId).sort((a, b) => (a < b ? -1 : a > b ? 1 : 0));
    const clients = peers.map((peer) => ({
      peer,
      client: createClient(diagnosticsV1.DiagnosticsServiceClient, peer.address, credentials),
    }));
    // Every channel connected first: otherwise a probe's figure includes a TLS handshake to the peer.
    await Promise.all(
      clients.map(({ client }) =>
        callUnary(client, 'ping', { payload: Buffer.alloc(0) }, { timeoutMs: 10_000 }),
      ),
    );
    const series = [];
    for (const concurrency of CONCURRENCY) {
      profileToggle(deployment.peerPids);
      series.push(await probeAtConcurrency(clients, ids, concurrency));
      profileToggle(deployment.peerPids);
    }
    for (const { client } of clients) client.close();

    const rssKb = deployment.peerPids.map(rssOf);
    const baselineKb = await baselineRss();
    const perPeer = (kb: readonly number[]) =>
      (kb.reduce((a, b) => a + b, 0) - baselineKb * kb.length) / PEERS;
    const perPeerKb = perPeer(rssKb);
    profileToggle(deployment.peerPids);
    const idle = await idleCpu(deployment.peerPids);
    profileToggle(deployment.peerPids);
    const idleRssKb = deployment.peerPids.map(rssOf);
    const sockets = deployment.peerPids.map(socketsOf);
    // Last, as it adds a peer to the ring: a running process with one virtual peer.
    const singleKb = await singlePeerProcessRss(deployment, SINGLE_PEER_WINDOW_MS, HEAP);
    // Each process's first virtual peer is inside that baseline; the others are what it adds.
    const beyondSingle = (kb: readonly number[]) =>
      (kb.reduce((a, b) => a + b, 0) - singleKb * kb.length) / Math.max(1, PEERS - kb.length);
    const bound = 0.5 * Math.log2(PEERS) + 1;
    console.log(
      `ring benchmark: ${PEERS} peers in ${rssKb.length} processes, ${PROBES} route probes per concurrency level`,
    );
    console.log('| figure | value |');
    console.log('|---|---|');
    console.log(`| ring consistent after start | ${(formedMs / 1000).toFixed(1)} s |`);
    for (const result of series) {
      const c = result.concurrency;
      console.log(
        `| concurrency ${c}: probes ending at the responsible peer | ${PROBES - result.misrouted} / ${PROBES} |`,
      );
      console.log(
        `| concurrency ${c}: mean hops (bound ½·log2 N + 1 = ${bound.toFixed(2)}) | ${result.meanHops.toFixed(2)} |`,
      );
      console.log(
        `| concurrency ${c}: route probes per second (one routed request each) | ${result.perSecond.toFixed(0)} |`,
      );
      console.log(
        `| concurrency ${c}: route latency p50 / p99 (at the originating peer) | ${result.route.p50Ms.toFixed(1)} / ${result.route.p99Ms.toFixed(1)} ms |`,
      );
      console.log(
        `| concurrency ${c}: with the bench's diagnostics call, p50 / p99 | ${result.call.p50Ms.toFixed(1)} / ${result.call.p99Ms.toFixed(1)} ms |`,
      );
    }
    console.log(
      `| peer processes' CPU while idle (mean of ${IDLE_SECONDS} s, per process) | ${idle.map((share) => `${(share * 100).toFixed(0)} %`).join(', ')} |`,
    );
    console.log(
      `| open sockets per virtual peer | ${(sockets.reduce((a, b) => a + b, 0) / PEERS).toFixed(1)} |`,
    );
    console.log(
      `| RSS per virtual peer beyond a process baseline (${(baselineKb / 1024).toFixed(0)} MB), once formed | ${(perPeer(formedRssKb) / 1024).toFixed(2)} MB |`,
    );
    console.log(
      `| the same after the probes (the bench had a diagnostics connection to every peer) | ${(perPeerKb / 1024).toFixed(2)} MB |`,
    );
    console.log(
      `| the same after the ${IDLE_SECONDS} s idle window | ${(perPeer(idleRssKb) / 1024).toFixed(2)} MB |`,
    );
    console.log(
      `| RSS per added virtual peer beyond a running one-peer process (lowest of ${SINGLE_PEER_WINDOW_MS / 1000} s: ${(singleKb / 1024).toFixed(0)} MB), once formed / after the probes / after the idle window | ${(beyondSingle(formedRssKb) / 1024).toFixed(2)} / ${(beyondSingle(rssKb) / 1024).toFixed(2)} / ${(beyondSingle(idleRssKb) / 1024).toFixed(2)} MB |`,
    );
  } finally {
    await deployment.stop();
  }
}

/** With BENCH_PROFILE=1, starts or ends a CPU profile in each peer (profiling/cpu-profile-hook.cjs). */
function profileToggle(pids: readonly number[]): void {
  if (process.env.BENCH_PROFILE !== '1') return;
  for (const pid of pids) process.kill(pid, 'SIGUSR2');
}

interface ProbeSeries {
  readonly concurrency: number;
  readonly misrouted: number;
  readonly meanHops: number;
  readonly perSecond: number;
  /** The routed request and its answer, timed at the originating peer. */
  readonly route: { readonly p50Ms: number; readonly p99Ms: number };
  /** The same plus the bench's diagnostics call to that peer (loopback gRPC). */
  readonly call: { readonly p50Ms: number; readonly p99Ms: number };
}

type ProbeClient = {
  readonly peer: { readonly nodeId: bigint };
  readonly client: diagnosticsV1.DiagnosticsServiceClient;
};

/** PROBES route probes from random peers to random ids, `concurrency` outstanding at a time. */
async function probeAtConcurrency(
  clients: readonly ProbeClient[],
  ids: readonly bigint[],
  concurrency: number,
): Promise<ProbeSeries> {
  const hops: number[] = [];
  const latencies: number[] = [];
  const routeLatencies: number[] = [];
  let misrouted = 0;
  let next = 0;
  const started = performance.now();
  await Promise.all(
    Array.from({ length: concurrency }, async () => {
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
        routeLatencies.push(answer.latencyMs);
        hops.push(answer.hops);
        if (nodeIdFromBytes(answer.responsibleNodeId) !== responsible) misrouted++;
      }
    }),
  );
  const seconds = (performance.now() - started) / 1000;
  const spread = (values: number[]) => {
    const sorted = [...values].sort((a, b) => a - b);
    return { p50Ms: percentile(sorted, 50), p99Ms: percentile(sorted, 99) };
  };
  return {
    concurrency,
    misrouted,
    meanHops: hops.reduce((a, b) => a + b, 0) / Math.max(1, hops.length),
    perSecond: PROBES / seconds,
    route: spread(routeLatencies),
    call: spread(latencies),
  };
}

/** Share of one core each process used over IDLE_SECONDS without probes (maintenance only). */
async function idleCpu(pids: readonly number[]): Promise<number[]> {
  const before = pids.map(cpuTicksOf);
  await new Promise((resolve) => setTimeout(resolve, IDLE_SECONDS * 1000));
  const ticksPerSecond = 100; // USER_HZ on Linux
  return pids.map((pid, i) => (cpuTicksOf(pid) - (before[i] ?? 0)) / ticksPerSecond / IDLE_SECONDS);
}

/**
 * RSS of a process that loaded the peer's bundle and printed its help: the code alone, before any
 * runtime service starts (the baseline of the first figure; the running one-peer process is the
 * other).
 */
async function baselineRss(): Promise<number> {
  const child = spawn(
    process.execPath,
    [
      ...peerNodeFlags(),
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

/**
 * The node flags the peer processes run with: their bin's (its `#!/usr/bin/env -S node …` line),
 * and V8's --optimize-for-size when their heap mode is lean: the baseline's too.
 */
function peerNodeFlags(): string[] {
  const bin = readFileSync(path.join(repoRoot, 'apps/peer/bin/p2psip-peer.cjs'), 'utf8');
  const shebang = bin.slice(0, bin.indexOf('\n'));
  const flags = shebang.split(/\s+/).filter((token) => token.startsWith('--'));
  return HEAP === 'lean' ? [...flags, '--optimize-for-size'] : flags;
}

main().catch((error: unknown) => {
  console.error(error);
  process.exitCode = 1;
});
