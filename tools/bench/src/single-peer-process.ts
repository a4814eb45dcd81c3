import { execFile, spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import path from 'node:path';
import { promisify } from 'node:util';
import { type RunningDeployment, readyLine, repoRoot, rssOf } from './local-deployment';

/**
 * RSS (kB) of a peer process hosting one virtual peer, joined to the deployment's ring, the
 * lowest of its readings over `windowMs`: what a peer process costs before it hosts more peers
 * (the runtime, TLS, lmdb, NATS and the code V8 compiled while it runs). The lowest reading
 * charges each added peer the most. It runs as the launcher runs its peers,
 * as a user of its own: another certificate of a peer process's user would carry the same
 * Node-IDs, and two peers with one Node-ID fight over it. It runs in the heap mode of the
 * launcher's peer processes, so that the difference is the added peers, not V8's settings.
 */
export async function singlePeerProcessRss(
  deployment: RunningDeployment,
  windowMs: number,
  /** The heap mode of the processes it is compared with (`p2psip-peer run --heap`). */
  heap: 'lean' | 'fast',
): Promise<number> {
  const { description, stateDir } = deployment;
  const bin = (name: string) => path.join(repoRoot, 'node_modules', '.bin', name);
  const user = `bench-single-peer@${description.overlay}`;
  const password = randomBytes(12).toString('base64url');
  await promisify(execFile)(bin('p2psip-enrollment'), [
    'user',
    'add',
    user,
    '--password',
    password,
    '--dir',
    description.enrollment.adminStateDir,
  ]);
  const child = spawn(
    bin('p2psip-peer'),
    [
      'run',
      '--config-url',
      description.configurationUrl,
      '--ca',
      description.caFile,
      '--identity',
      path.join(stateDir, 'bench-single-peer'),
      '--user',
      user,
      '--password',
      password,
      '--count',
      '1',
      '--nats-url',
      description.nats.url,
      '--update-interval-ms',
      '5000',
      '--heap',
      heap,
    ],
    { stdio: ['ignore', 'pipe', 'inherit'] },
  );
  try {
    await readyLine(child, (line) => line.includes('"msg":"ready"'), 120_000);
    const pid = child.pid;
    if (!pid) throw new Error('the single-peer process has no pid');
    // The lowest reading: a young process holds its start-up garbage (enrollment, key and
    // certificate handling) until V8's memory reducer runs a major GC, tens of seconds later.
    let lowest = rssOf(pid);
    for (const end = Date.now() + windowMs; Date.now() < end;) {
      await new Promise((resolve) => setTimeout(resolve, 1000));
      lowest = Math.min(lowest, rssOf(pid));
    }
    return lowest;
  } finally {
    if (child.exitCode === null && child.signalCode === null) {
      const exited = new Promise((resolve) => child.once('exit', resolve));
      child.kill('SIGTERM');
      await exited;
    }
  }
}
