import { type ChildProcess, spawn } from 'node:child_process';
import { readFile, readdir } from 'node:fs/promises';
import { setTimeout as sleep } from 'node:timers/promises';
import { requireCommand } from './system-command';
import { type TempDir, createTempDir } from './temp-dir';

export interface NatsServerHandle {
  /** `nats://127.0.0.1:<port>` */
  readonly url: string;
  readonly port: number;
  readonly pid: number;
  /** Stops the server (SIGTERM, then SIGKILL after 5 s) and removes its data dir. */
  stop(): Promise<void>;
}

export interface StartNatsOptions {
  /** Enable JetStream with storage in the server's temp dir. @default true */
  readonly jetstream?: boolean;
  /** @default 10 s */
  readonly readyTimeoutMs?: number;
}

/**
 * Starts Debian's nats-server on a free loopback port for one test (file) and waits until it has
 * written its ports file, which it does once it accepts clients.
 */
export async function startNatsServer(options: StartNatsOptions = {}): Promise<NatsServerHandle> {
  const binary = requireCommand('nats-server', 'nats-server');
  const dir = await createTempDir('nats');
  const args = ['-a', '127.0.0.1', '-p', '-1', '--ports_file_dir', dir.path];
  if (options.jetstream ?? true) args.push('-js', '-sd', dir.path);
  const child = spawn(binary, args, { stdio: ['ignore', 'ignore', 'pipe'] });
  let stderr = '';
  child.stderr?.on('data', (chunk: Buffer) => (stderr = (stderr + chunk.toString()).slice(-4000)));
  try {
    const port = await waitForPort(child, dir, options.readyTimeoutMs ?? 10_000);
    return {
      url: `nats://127.0.0.1:${port}`,
      port,
      pid: child.pid ?? -1,
      stop: () => stopProcess(child, dir),
    };
  } catch (error) {
    await stopProcess(child, dir);
    throw new Error(`nats-server did not start: ${(error as Error).message}\n${stderr}`, { cause: error });
  }
}

async function waitForPort(child: ChildProcess, dir: TempDir, timeoutMs: number): Promise<number> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (child.exitCode !== null) throw new Error(`exited with code ${child.exitCode}`);
    const portsFile = (await readdir(dir.path)).find((name) => name.endsWith('.ports'));
    if (portsFile) {
      const ports = JSON.parse(await readFile(`${dir.path}/${portsFile}`, 'utf8')) as { nats?: string[] };
      const url = ports.nats?.[0];
      if (url) return Number(new URL(url).port);
    }
    await sleep(20);
  }
  throw new Error(`no ports file within ${timeoutMs} ms`);
}

/** SIGTERM a child and wait for it; SIGKILL if it lingers. */
export async function stopProcess(child: ChildProcess, dir?: TempDir, graceMs = 5000): Promise<void> {
  if (child.exitCode === null && child.signalCode === null) {
    const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
    child.kill('SIGTERM');
    const timer = setTimeout(() => child.kill('SIGKILL'), graceMs);
    await exited;
    clearTimeout(timer);
  }
  await dir?.remove();
}
