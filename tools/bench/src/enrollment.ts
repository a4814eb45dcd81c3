import { spawn, spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { Agent, request } from 'node:https';
import { cpus, tmpdir } from 'node:os';
import path from 'node:path';
import { type EnrollmentForm, enrollmentForm } from '@p2psip/enrollment-client';
import { createCsr, generateKeyPair } from '@p2psip/identity';
import { type LatencySummary, summarize } from './latency';

// Enrollment benchmark (issue: ≥ 500 enrollments/s, p99 ≤ 50 ms on 2 cores, 16 concurrent
// clients over HTTPS). The real server runs as its own process with the default embedded store;
// each client is a device of one user re-enrolling with fresh CSRs over a keep-alive connection.
// Baseline in the same run: `openssl x509 -req` signing the same kind of CSR in a loop.

const repoRoot = path.resolve(__dirname, '..', '..', '..');
const overlay = 'bench.test';
const CLIENTS = Number(process.env.BENCH_CLIENTS ?? 16);
const DURATION_MS = Number(process.env.BENCH_SECONDS ?? 10) * 1000;
const WARMUP_MS = 2000;

async function main(): Promise<void> {
  const work = mkdtempSync(path.join(tmpdir(), 'p2psip-bench-enrollment-'));
  const bin = path.join(repoRoot, 'node_modules', '.bin', 'p2psip-enrollment');
  const dir = path.join(work, 'ca');
  run(bin, ['init', '--overlay', overlay, '--dir', dir]);
  // BENCH_SERVER_NODE_ARGS (e.g. "--cpu-prof") profiles the server under this load;
  // BENCH_SERVER_ARGS passes serve options (e.g. "--signing-workers 2").
  const nodeArgs = (process.env.BENCH_SERVER_NODE_ARGS ?? '').split(' ').filter(Boolean);
  const serverMain = path.join(repoRoot, 'apps', 'enrollment', 'dist', 'main.cjs');
  const serverArgs = (process.env.BENCH_SERVER_ARGS ?? '').split(' ').filter(Boolean);
  const server = spawn(
    process.execPath,
    [...nodeArgs, serverMain, 'serve', '--dir', dir, '--log-level', 'warn', ...serverArgs],
    {
      stdio: ['ignore', 'ignore', 'inherit'],
    },
  );
  try {
    await waitForFile(path.join(dir, 'endpoints.json'));
    const endpoints = JSON.parse(readFileSync(path.join(dir, 'endpoints.json'), 'utf8')) as { https: string };
    const caPem = readFileSync(path.join(dir, 'ca.pem'), 'utf8');
    for (let i = 0; i < CLIENTS; i++)
      run(bin, ['user', 'add', `device${i}@${overlay}`, '--password', `pw-${i}`, '--dir', dir]);

    const forms = await Promise.all(
      Array.from({ length: 64 }, async () => (await createCsr(await generateKeyPair())).der),
    );
    console.error(`warming up ${WARMUP_MS} ms, then measuring ${DURATION_MS} ms with ${CLIENTS} clients…`);
    await load(endpoints.https, caPem, forms, WARMUP_MS);
    const enrollment = await load(endpoints.https, caPem, forms, DURATION_MS);
    const openssl = opensslBaseline(work, DURATION_MS / 2);
    report(enrollment, openssl);
  } finally {
    const exited = new Promise((resolve) => server.once('exit', resolve));
    server.kill('SIGTERM');
    await exited;
    rmSync(work, { recursive: true, force: true });
  }
}

async function load(
  address: string,
  caPem: string,
  csrs: readonly Buffer[],
  durationMs: number,
): Promise<LatencySummary & { failures: number }> {
  const latencies: number[] = [];
  let failures = 0;
  const started = performance.now();
  const deadline = started + durationMs;
  await Promise.all(
    Array.from({ length: CLIENTS }, async (_, client) => {
      const agent = new Agent({ keepAlive: true, maxSockets: 1, ca: caPem });
      for (let n = 0; performance.now() < deadline; n++) {
        const body = enrollmentForm(
          { username: `device${client}@${overlay}`, password: `pw-${client}` },
          csrs[(client * 7 + n) % csrs.length] ?? Buffer.alloc(0),
        );
        const t0 = performance.now();
        const status = await post(agent, address, body);
        if (status === 200) latencies.push(performance.now() - t0);
        else failures++;
      }
      agent.destroy();
    }),
  );
  return { ...summarize(latencies, performance.now() - started), failures };
}

function post(agent: Agent, address: string, body: EnrollmentForm): Promise<number> {
  const [host, port] = address.split(':');
  return new Promise((resolve) => {
    const req = request(
      {
        host,
        port,
        path: '/enroll',
        method: 'POST',
        agent,
        headers: { 'content-type': body.contentType, accept: 'application/pkix-cert' },
      },
      (res) => {
        res.resume();
        res.on('end', () => resolve(res.statusCode ?? 0));
      },
    );
    req.on('error', () => resolve(0));
    req.end(body.body);
  });
}

/** `openssl x509 -req` signing loop, one process per certificate, as many in parallel as cores. */
function opensslBaseline(work: string, durationMs: number): LatencySummary {
  const key = path.join(work, 'base-ca.key');
  const ca = path.join(work, 'base-ca.pem');
  const csr = path.join(work, 'base.csr');
  run('openssl', [
    'req',
    '-x509',
    '-newkey',
    'ec',
    '-pkeyopt',
    'ec_paramgen_curve:P-256',
    '-nodes',
    '-keyout',
    key,
    '-out',
    ca,
    '-subj',
    '/CN=bench CA',
    '-days',
    '1',
  ]);
  run('openssl', [
    'req',
    '-new',
    '-newkey',
    'ec',
    '-pkeyopt',
    'ec_paramgen_curve:P-256',
    '-nodes',
    '-keyout',
    path.join(work, 'base.key'),
    '-subj',
    '/',
    '-out',
    csr,
  ]);
  writeFileSync(
    path.join(work, 'ext.cnf'),
    'subjectAltName=URI:reload://00112233445566778899aabbccddeeff@bench.test/,email:a@bench.test\n',
  );
  const latencies: number[] = [];
  const started = performance.now();
  const parallel = Math.max(1, cpus().length);
  while (performance.now() - started < durationMs) {
    const batch = Array.from({ length: parallel }, (_, i) =>
      spawnSync(
        'sh',
        [
          '-c',
          `t0=$(date +%s%N); openssl x509 -req -in ${csr} -CA ${ca} -CAkey ${key} -set_serial ${Date.now()}${i} -days 1 -extfile ${path.join(work, 'ext.cnf')} -out /dev/null 2>/dev/null; echo $(( ($(date +%s%N) - t0) / 1000 ))`,
        ],
        { encoding: 'utf8' },
      ),
    );
    for (const result of batch) latencies.push(Number(result.stdout.trim()) / 1000);
  }
  return summarize(latencies, performance.now() - started);
}

function report(enrollment: LatencySummary & { failures: number }, openssl: LatencySummary): void {
  const row = (name: string, s: LatencySummary) =>
    `| ${name} | ${s.count} | ${s.perSecond.toFixed(0)} | ${s.p50Ms.toFixed(1)} | ${s.p99Ms.toFixed(1)} | ${s.maxMs.toFixed(1)} |`;
  console.log(`enrollment benchmark, ${cpus().length} cores, ${CLIENTS} clients, ${DURATION_MS / 1000} s`);
  console.log('| what | count | per second | p50 ms | p99 ms | max ms |');
  console.log('|---|---|---|---|---|---|');
  console.log(row('POST /enroll (HTTPS, keep-alive)', enrollment));
  console.log(row('openssl x509 -req (process per cert)', openssl));
  console.log(`failed enrollments: ${enrollment.failures}`);
  console.log(
    `target ≥ 500/s and p99 ≤ 50 ms: ${enrollment.perSecond >= 500 && enrollment.p99Ms <= 50 ? 'met' : 'NOT met'}`,
  );
}

function run(command: string, args: string[]): void {
  const result = spawnSync(command, args, { encoding: 'utf8' });
  if (result.status !== 0) throw new Error(`${command} ${args.join(' ')} failed:\n${result.stderr}`);
}

async function waitForFile(file: string): Promise<void> {
  for (let i = 0; i < 300; i++) {
    try {
      readFileSync(file);
      return;
    } catch {
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
  }
  throw new Error(`${file} did not appear`);
}

main().catch((error: unknown) => {
  console.error(error);
  process.exitCode = 1;
});
