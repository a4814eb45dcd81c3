import { execFileSync } from 'node:child_process';
import { existsSync, readFileSync, readdirSync, statSync } from 'node:fs';
import path from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { type EnrolledIdentity, enroll, fetchConfiguration } from '@p2psip/enrollment-client';
import { type ResourceId, idToBytes, parseCertificate, resourceIdOf } from '@p2psip/identity';
import {
  CertificateIndex,
  kindDataToProto,
  specifierToProto,
  storedValueFromProto,
} from '@p2psip/overlay-grpc';
import { commonV1, peerV1 } from '@p2psip/proto';
import { callUnary, clientCredentials, createClient } from '@p2psip/rpc';
import {
  type CertificateTrust,
  type StoredValue,
  createCertificateTrust,
  isSyntheticAbsent,
  signValue,
  verifyValue,
} from '@p2psip/storage';
import { forEachConcurrently } from './concurrently';
import { type LatencySummary, summarize } from './latency';
import {
  type RunningDeployment,
  peerMetricsAddresses,
  repoRoot,
  rssOf,
  startDeployment,
} from './local-deployment';

// Storage benchmark (issue 5: store and fetch per second and p50/p99 with 50 peers on loopback;
// bytes of memory per stored registration-sized value, target ≤ 2 kB). Runs the real local
// deployment; BENCH_VALUES self-registered users each store one SIP-REGISTRATION through a random
// peer's client access service, as thin clients do, and every value is fetched back and verified.

const PEERS = Number(process.env.BENCH_PEERS ?? 50);
const PER_PROCESS = Number(process.env.BENCH_PEERS_PER_PROCESS ?? 10);
const VALUES = Number(process.env.BENCH_VALUES ?? 1000);
const CONCURRENCY = Number(process.env.BENCH_CONCURRENCY ?? 16);
/** Values stored and fetched before the measured run (not counted). */
const WARMUP = Number(process.env.BENCH_WARMUP ?? 50);

const SIP_REGISTRATION = 1;
const LIFETIME_S = 3600;
const CALL_TIMEOUT_MS = 10_000;
/** Lets the peers finish replicating and the allocator settle before RSS is read. */
const SETTLE_MS = 5000;
/** Registration-sized: a contact URI with the parameters a SIP UA registers (RFC 5626 instance id). */
const REGISTRATION_BYTES = 180;

type ClientAccess = InstanceType<typeof peerV1.ClientAccessServiceClient>;

interface BenchUser {
  readonly name: string;
  readonly identity: EnrolledIdentity;
  readonly resourceId: ResourceId;
  /** The DICTIONARY key: the user's Node-ID (USER-NODE-MATCH). */
  readonly key: Buffer;
  readonly value: StoredValue;
}

interface Phase extends LatencySummary {
  readonly failures: number;
  readonly firstError: string | undefined;
}

async function main(): Promise<void> {
  console.error(`starting ${PEERS} peers (${PER_PROCESS} per process)…`);
  const deployment = await startDeployment({ peers: PEERS, peersPerProcess: PER_PROCESS, name: 'storage' });
  const clients = new Map<string, ClientAccess>();
  try {
    const { description } = deployment;
    const caPem = readFileSync(description.caFile, 'utf8');
    execFileSync(
      path.join(repoRoot, 'node_modules', '.bin', 'p2psip-enrollment'),
      ['config', 'set', '--self-registration', 'on', '--dir', description.enrollment.adminStateDir],
      { stdio: ['ignore', 'ignore', 'inherit'] },
    );
    const { configuration } = await fetchConfiguration({ url: description.configurationUrl, caPem });
    const enrollmentUrl = configuration.enrollmentServers[0];
    if (!enrollmentUrl) throw new Error('the configuration names no enrollment server');

    console.error(`enrolling ${VALUES} + ${WARMUP} (warm-up) users…`);
    const enrollStarted = performance.now();
    const users = await enrollUsers('bench', VALUES, enrollmentUrl, caPem, description.overlay);
    const enrollMs = performance.now() - enrollStarted;
    const warmUsers = await enrollUsers('warm', WARMUP, enrollmentUrl, caPem, description.overlay);

    for (const peer of deployment.peers)
      clients.set(
        peer.address,
        createClient(peerV1.ClientAccessServiceClient, peer.address, deployment.credentials),
      );
    const addresses = [...clients.keys()];
    const randomClient = (): ClientAccess =>
      clients.get(addresses[Math.floor(Math.random() * addresses.length)] ?? '') as ClientAccess;

    // A peer stores only values signed with the connection's own certificate: each user stores
    // over its own mutual-TLS channel, opened (and handshaken) before the timed phase.
    console.error(`connecting ${VALUES + WARMUP} users to random peers…`);
    const userClients = new Map<BenchUser, ClientAccess>();
    await phase([...warmUsers, ...users], async (user) => {
      const address = addresses[Math.floor(Math.random() * addresses.length)] ?? '';
      const client = createClient(
        peerV1.ClientAccessServiceClient,
        address,
        clientCredentials({ caPem, certPem: user.identity.certPem, keyPem: user.identity.keyPem }),
      );
      userClients.set(user, client);
      await callUnary(client, 'getAttachmentInfo', {}, { timeoutMs: CALL_TIMEOUT_MS });
    });
    const own = (user: BenchUser): ClientAccess => userClients.get(user) as ClientAccess;

    // The first stores pay one-off costs (JIT, lmdb maps, links between peers, buffers) that are
    // no value's; warm-up users' values take them before the memory baseline is read.
    console.error(`warming up with ${WARMUP} values…`);
    await phase(warmUsers, (user) => storeValue(own(user), user));
    await phase(warmUsers, (user) => fetchValue(randomClient(), user));
    await sleep(SETTLE_MS);
    const metricsAddresses = peerMetricsAddresses(deployment.stateDir);
    const rssBeforeKb = peerRssKb(deployment);
    const jsBefore = await peerJsMemoryBytes(metricsAddresses);
    const diskBefore = valuesDiskBytes(deployment.stateDir);

    console.error(`storing ${VALUES} values…`);
    let twoReplicas = 0;
    const stored = await phase(users, async (user) => {
      const answer = await storeValue(own(user), user);
      if (answer.kindResponses[0]?.replicas.length === 2) twoReplicas++;
    });

    for (const client of userClients.values()) client.close();
    await sleep(SETTLE_MS);
    const rssAfterKb = peerRssKb(deployment);
    const jsAfter = await peerJsMemoryBytes(metricsAddresses);
    const diskAfter = valuesDiskBytes(deployment.stateDir);

    console.error(`fetching ${VALUES} values…`);
    const answers = new Map<BenchUser, peerV1.FetchResponse>();
    const fetched = await phase(users, async (user) => {
      answers.set(user, await fetchValue(randomClient(), user));
    });
    const trust = createCertificateTrust({
      caCertificateDer: parseCertificate(caPem).der,
      overlay: description.overlay,
    });
    const checked = users.map((user) => check(user, answers.get(user), trust));

    const deltaBytes = (rssAfterKb - rssBeforeKb) * 1024;
    const verified = checked.filter((c) => c === 'verified').length;
    const missing = checked.filter((c) => c === 'missing').length;
    const rejected = checked.filter((c) => c === 'rejected').length;
    console.log(
      `storage benchmark: ${PEERS} peers in ${deployment.peerPids.length} processes, ${VALUES} SIP-REGISTRATION values of ${REGISTRATION_BYTES} bytes, concurrency ${CONCURRENCY}`,
    );
    console.log('| figure | value |');
    console.log('|---|---|');
    console.log(`| ring consistent after start | ${(deployment.formedMs / 1000).toFixed(1)} s |`);
    console.log(
      `| enrollment of ${VALUES} self-registered users (not part of the storage figures) | ${(enrollMs / 1000).toFixed(1)} s (${((VALUES * 1000) / enrollMs).toFixed(0)}/s) |`,
    );
    console.log(`| stores per second | ${stored.perSecond.toFixed(0)} |`);
    console.log(`| store latency p50 / p99 | ${latencies(stored)} |`);
    console.log(`| stores failed | ${failures(stored)} |`);
    console.log(`| stores answered with 2 replicas | ${twoReplicas} / ${VALUES} |`);
    console.log(`| fetches per second | ${fetched.perSecond.toFixed(0)} |`);
    console.log(`| fetch latency p50 / p99 | ${latencies(fetched)} |`);
    console.log(`| fetches failed | ${failures(fetched)} |`);
    console.log(
      `| values fetched and verified / missing / failing verification | ${verified} / ${missing} / ${rejected} |`,
    );
    console.log(
      `| peer processes' RSS before / after storing | ${mb(rssBeforeKb * 1024)} / ${mb(rssAfterKb * 1024)} MB |`,
    );
    console.log(
      `| RSS per stored value (ΔRSS / ${VALUES}; target ≤ 2 kB) | ${(deltaBytes / VALUES).toFixed(0)} bytes |`,
    );
    console.log(
      `| RSS per stored copy (ΔRSS / ${3 * VALUES}) | ${(deltaBytes / (3 * VALUES)).toFixed(0)} bytes |`,
    );
    console.log(
      `| JS heap used + external memory per stored value (Prometheus, no forced GC) | ${((jsAfter - jsBefore) / VALUES).toFixed(0)} bytes |`,
    );
    console.log(
      `| lmdb disk usage before / after storing | ${mb(diskBefore)} / ${mb(diskAfter)} MB (${((diskAfter - diskBefore) / VALUES).toFixed(0)} bytes per value) |`,
    );
  } finally {
    for (const client of clients.values()) client.close();
    await deployment.stop();
  }
}

async function enrollUsers(
  prefix: string,
  count: number,
  enrollmentUrl: string,
  caPem: string,
  overlay: string,
): Promise<BenchUser[]> {
  const users = new Array<BenchUser>(count);
  await forEachConcurrently(count, CONCURRENCY, async (i) => {
    const name = `${prefix}${i}@${overlay}`;
    const identity = await enroll({ enrollmentUrl, caPem, userName: name, password: `bench-${i}` });
    const nodeId = identity.certificate.nodeIds[0];
    if (nodeId === undefined) throw new Error(`${name} was enrolled without a Node-ID`);
    const resourceId = resourceIdOf(name);
    const key = idToBytes(nodeId);
    // Signed before the clock starts: signing is the client's cost, the figures are the overlay's.
    const value = signValue(
      {
        resourceId,
        kind: SIP_REGISTRATION,
        item: { model: 'DICTIONARY', key, exists: true, value: registration(i) },
        storageTimeMs: BigInt(Date.now()),
        lifetimeS: LIFETIME_S,
      },
      { certificateDer: identity.certificate.der, privateKey: identity.keyPem },
    );
    users[i] = { name, identity, resourceId, key, value };
  });
  return users;
}

/**
 * A SipRegistration of type sip_registration_uri (RFC 7904 §3.2: type, uint16 length, then the
 * URI as opaque<0..2^16-1>), padded to REGISTRATION_BYTES with the contact's instance id.
 */
function registration(i: number): Buffer {
  const contact = `sip:bench${i}@127.0.0.1:5060;transport=tcp;+sip.instance="<urn:uuid:`;
  const uri = `${contact.padEnd(REGISTRATION_BYTES - 5 - 2, String(i % 10))}>"`;
  const body = Buffer.alloc(2 + uri.length);
  body.writeUInt16BE(uri.length, 0);
  body.write(uri, 2, 'latin1');
  const header = Buffer.alloc(3);
  header.writeUInt8(1, 0);
  header.writeUInt16BE(body.length, 1);
  return Buffer.concat([header, body]);
}

function storeValue(client: ClientAccess, user: BenchUser): Promise<peerV1.StoreResponse> {
  return callUnary(
    client,
    'store',
    {
      resourceId: idToBytes(user.resourceId),
      kindData: [kindDataToProto({ kind: SIP_REGISTRATION, generation: 0n, values: [user.value] })],
      certificates: [
        {
          type: commonV1.CertificateType.CERTIFICATE_TYPE_X509,
          certificateDer: Buffer.from(user.identity.certificate.der),
        },
      ],
    },
    { timeoutMs: CALL_TIMEOUT_MS },
  );
}

function fetchValue(client: ClientAccess, user: BenchUser): Promise<peerV1.FetchResponse> {
  return callUnary(
    client,
    'fetch',
    {
      resourceId: idToBytes(user.resourceId),
      specifiers: [
        specifierToProto({
          kind: SIP_REGISTRATION,
          generation: 0n,
          selector: { model: 'DICTIONARY', keys: [user.key] },
        }),
      ],
    },
    { timeoutMs: CALL_TIMEOUT_MS },
  );
}

/** Runs one call per user, CONCURRENCY at a time; failures are counted, not thrown. */
async function phase(
  users: readonly BenchUser[],
  call: (user: BenchUser) => Promise<unknown>,
): Promise<Phase> {
  const latenciesMs: number[] = [];
  let failures = 0;
  let firstError: string | undefined;
  const started = performance.now();
  await forEachConcurrently(users.length, CONCURRENCY, async (i) => {
    const t0 = performance.now();
    try {
      await call(users[i]);
      latenciesMs.push(performance.now() - t0);
    } catch (error) {
      failures++;
      firstError ??= error instanceof Error ? error.message : String(error);
    }
  });
  return { ...summarize(latenciesMs, performance.now() - started), failures, firstError };
}

/** The fetched value for the user's key, verified as a fetching client must (RFC 6940 §7.4.2.2). */
function check(
  user: BenchUser,
  answer: peerV1.FetchResponse | undefined,
  trust: CertificateTrust,
): 'verified' | 'missing' | 'rejected' {
  if (!answer) return 'missing';
  const certificates = new CertificateIndex(answer.certificates.map((c) => c.certificateDer));
  const values = (answer.kindResponses[0]?.values ?? [])
    .map((proto) => storedValueFromProto(proto, certificates))
    .filter((value) => !isSyntheticAbsent(value) && value.item.exists);
  if (values.length === 0) return 'missing';
  const good = values.some(
    (value) =>
      value.item.model === 'DICTIONARY' &&
      Buffer.from(value.item.key).equals(user.key) &&
      Buffer.from(value.item.value).equals(user.value.item.value) &&
      verifyValue(user.resourceId, SIP_REGISTRATION, value, trust, Date.now()) !== undefined,
  );
  return good ? 'verified' : 'rejected';
}

/**
 * Heap in use plus memory outside the heap (Buffers) of every peer process, from its own
 * Prometheus metrics: unlike RSS it does not count heap the process grew and has not returned.
 */
async function peerJsMemoryBytes(addresses: readonly string[]): Promise<number> {
  const totals = await Promise.all(
    addresses.map(async (address) => {
      const text = await (await fetch(`http://${address}/metrics`)).text();
      const gauge = (name: string): number =>
        Number(new RegExp(`^${name} (\\S+)`, 'm').exec(text)?.[1] ?? Number.NaN);
      return gauge('nodejs_heap_size_used_bytes') + gauge('nodejs_external_memory_bytes');
    }),
  );
  return totals.reduce((a, b) => a + b, 0);
}

function peerRssKb(deployment: RunningDeployment): number {
  return deployment.peerPids.reduce((sum, pid) => sum + rssOf(pid), 0);
}

/** Allocated bytes (as du counts them) of every peer's lmdb value stores. */
function valuesDiskBytes(stateDir: string): number {
  let total = 0;
  const walk = (dir: string): void => {
    for (const entry of readdirSync(dir, { withFileTypes: true })) {
      const full = path.join(dir, entry.name);
      if (entry.isDirectory()) walk(full);
      else total += statSync(full).blocks * 512;
    }
  };
  for (const entry of readdirSync(stateDir, { withFileTypes: true })) {
    const values = path.join(stateDir, entry.name, 'peer-values');
    if (entry.isDirectory() && entry.name.startsWith('peer-') && existsSync(values)) walk(values);
  }
  return total;
}

function latencies(summary: Phase): string {
  return `${summary.p50Ms.toFixed(1)} / ${summary.p99Ms.toFixed(1)} ms`;
}

function failures(summary: Phase): string {
  return summary.failures === 0 ? '0' : `${summary.failures} (first: ${summary.firstError ?? '?'})`;
}

function mb(bytes: number): string {
  return (bytes / (1024 * 1024)).toFixed(1);
}

main().catch((error: unknown) => {
  console.error(error);
  process.exitCode = 1;
});
