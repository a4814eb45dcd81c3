import { type ChildProcess, spawn } from 'node:child_process';
import { mkdir, readFile, readdir, rm } from 'node:fs/promises';
import path from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import type { TrackChild } from './child-processes';

export interface RunningNats {
  readonly url: string;
  readonly child: ChildProcess;
}

/**
 * Starts nats-server with JetStream on a free loopback port, its stream data kept under the state
 * dir so durable revocations survive a restart of the deployment.
 */
export async function startNats(
  stateDir: string,
  signal: AbortSignal,
  track: TrackChild,
): Promise<RunningNats> {
  const dir = path.join(stateDir, 'nats');
  const portsDir = path.join(dir, 'ports');
  await rm(portsDir, { recursive: true, force: true });
  await mkdir(portsDir, { recursive: true });
  // Its log goes with the others, not to the terminal of `npm start`.
  const logDir = path.join(stateDir, 'logs');
  await mkdir(logDir, { recursive: true });
  const args = [
    '-a',
    '127.0.0.1',
    '-p',
    '-1',
    '-js',
    '-sd',
    path.join(dir, 'jetstream'),
    '--ports_file_dir',
    portsDir,
  ];
  const child = spawn('nats-server', [...args, '--log', path.join(logDir, 'nats.log')], {
    stdio: ['ignore', 'ignore', 'inherit'],
  });
  track('nats-server', child);
  const deadline = Date.now() + 10_000;
  while (Date.now() < deadline && !signal.aborted) {
    if (child.exitCode !== null) throw new Error(`nats-server exited with code ${child.exitCode}`);
    const file = (await readdir(portsDir)).find((name) => name.endsWith('.ports'));
    if (file) {
      const ports = JSON.parse(await readFile(path.join(portsDir, file), 'utf8')) as { nats?: string[] };
      if (ports.nats?.[0]) return { url: ports.nats[0], child };
    }
    await sleep(20);
  }
  child.kill('SIGTERM');
  throw new Error('nats-server did not report its port within 10 s');
}
