import { type ChildProcess, spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { createSocket } from 'node:dgram';
import { connect, createServer } from 'node:net';
import path from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { stopProcess } from './nats-server';
import { requireCommand } from './system-command';
import { createTempDir } from './temp-dir';

export interface CoturnHandle {
  /** `127.0.0.1:<port>`: the TURN listener (UDP and TCP). */
  readonly address: string;
  readonly port: number;
  /** The shared secret of coturn's `use-auth-secret` (TURN REST credentials). */
  readonly secret: string;
  readonly realm: string;
  /** The telnet CLI on loopback (`ps` reports sessions), with its password. */
  readonly cli: { readonly port: number; readonly password: string };
  readonly pid: number;
  /** Every line coturn logged so far. */
  readonly log: readonly string[];
  /** SIGTERM (SIGKILL after 5 s), then removes its scratch dir. */
  stop(): Promise<void>;
}

export interface StartCoturnOptions {
  /** @default 32 random bytes, hex */
  readonly secret?: string;
  /** @default 'p2psip.test' */
  readonly realm?: string;
  /** A fixed listening port (restarting "the same" relay); @default a free port */
  readonly port?: number;
  /** The CLI's password (several servers behind one relay service share it); @default random */
  readonly cliPassword?: string;
  /** A fixed CLI port (restarting "the same" relay); @default a free port */
  readonly cliPort?: number;
  /** @default 10 s */
  readonly readyTimeoutMs?: number;
}

/**
 * Starts Debian's coturn (`turnserver`) on loopback for one test: use-auth-secret with a shared
 * secret, no TLS/DTLS, loopback peers allowed (tests relay to 127.0.0.1), its own scratch userdb and
 * pid file, and the CLI on a free port. Resolves once the TCP listener accepts connections (coturn
 * opens its UDP and TCP listeners together).
 */
export async function startCoturn(options: StartCoturnOptions = {}): Promise<CoturnHandle> {
  const binary = requireCommand('turnserver', 'coturn');
  const dir = await createTempDir('coturn');
  const secret = options.secret ?? randomBytes(32).toString('hex');
  const realm = options.realm ?? 'p2psip.test';
  const port = options.port ?? (await freeTcpUdpPort());
  const cli = {
    port: options.cliPort ?? (await freeTcpUdpPort()),
    password: options.cliPassword ?? randomBytes(12).toString('hex'),
  };
  // Relay ports: a window of 200 in 40000..59999; coturn skips ports that another server holds.
  const minPort = 40_000 + Math.floor(Math.random() * 99) * 200;
  const args = [
    '-n',
    '--listening-ip=127.0.0.1',
    '--relay-ip=127.0.0.1',
    `--listening-port=${port}`,
    `--min-port=${minPort}`,
    `--max-port=${minPort + 199}`,
    '--use-auth-secret',
    `--static-auth-secret=${secret}`,
    `--realm=${realm}`,
    '--fingerprint',
    '--no-tls',
    '--no-dtls',
    '--cli-ip=127.0.0.1',
    `--cli-port=${cli.port}`,
    `--cli-password=${cli.password}`,
    '--allow-loopback-peers',
    '--log-file=stdout',
    '--simple-log',
    `--pidfile=${path.join(dir.path, 'turnserver.pid')}`,
    `--userdb=${path.join(dir.path, 'turndb')}`,
  ];
  const child = spawn(binary, args, { stdio: ['ignore', 'pipe', 'pipe'] });
  const log: string[] = [];
  const collect = (chunk: Buffer): void => {
    log.push(...chunk.toString().split('\n').filter(Boolean));
    if (log.length > 2000) log.splice(0, log.length - 2000);
  };
  child.stdout?.on('data', collect);
  child.stderr?.on('data', collect);
  try {
    await waitForListener(child, port, options.readyTimeoutMs ?? 10_000);
  } catch (error) {
    await stopProcess(child, dir);
    throw new Error(`turnserver did not start: ${(error as Error).message}\n${log.slice(-30).join('\n')}`, {
      cause: error,
    });
  }
  return {
    address: `127.0.0.1:${port}`,
    port,
    secret,
    realm,
    cli,
    pid: child.pid ?? -1,
    log,
    stop: () => stopProcess(child, dir),
  };
}

async function waitForListener(child: ChildProcess, port: number, timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (child.exitCode !== null) throw new Error(`exited with code ${child.exitCode}`);
    if (await tcpAccepts(port)) return;
    await sleep(50);
  }
  throw new Error(`port ${port} not listening within ${timeoutMs} ms`);
}

function tcpAccepts(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = connect({ host: '127.0.0.1', port });
    socket.once('connect', () => (socket.destroy(), resolve(true)));
    socket.once('error', () => resolve(false));
  });
}

/** A loopback port free for both TCP and UDP right now (TURN listens on both). */
export async function freeTcpUdpPort(): Promise<number> {
  for (let attempt = 0; attempt < 20; attempt++) {
    const port = await new Promise<number>((resolve, reject) => {
      const server = createServer();
      server.once('error', reject);
      server.listen(0, '127.0.0.1', () => {
        const address = server.address();
        server.close(() => resolve(typeof address === 'object' && address ? address.port : 0));
      });
    });
    const udpFree = await new Promise<boolean>((resolve) => {
      const socket = createSocket('udp4');
      socket.once('error', () => resolve(false));
      socket.bind(port, '127.0.0.1', () => socket.close(() => resolve(true)));
    });
    if (udpFree) return port;
  }
  throw new Error('no port free for both TCP and UDP after 20 attempts');
}
