import { type ChildProcess, spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdir } from 'node:fs/promises';
import path from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import type { Logger } from '@p2psip/telemetry';
import { RelayConfigError } from '../errors';
import { parseRelayEndpoint, type RelayEndpoint } from '../turn/relay-endpoint';

export interface ManagedCoturnComponents {
  readonly logger: Logger;
  /** Told when coturn dies on its own (not on stop), before the restart is scheduled. */
  readonly onExit?: (why: string) => void;
}

export interface ManagedCoturnInit {
  /** The turnserver binary. @default 'turnserver' (Debian's coturn, on PATH) */
  readonly binary?: string;
  /** TURN listening port on 127.0.0.1. */
  readonly port: number;
  /** coturn's telnet CLI port on 127.0.0.1 (load reports). */
  readonly cliPort: number;
  /** Relayed ports, inclusive. @default 49160..49959 */
  readonly minRelayPort?: number;
  readonly maxRelayPort?: number;
  readonly secret: string;
  readonly realm: string;
  /** Where its userdb, pid file and log go. */
  readonly dir: string;
  /** First pause before a restart, doubled per quick crash up to 30 s, ms. @default 1000 */
  readonly restartDelayMs?: number;
}

const MAX_RESTART_DELAY_MS = 30_000;
/** A run longer than this counts as healthy: the next crash restarts after the first delay again. */
const STABLE_RUN_MS = 60_000;

/**
 * A coturn on loopback that this process starts, restarts when it dies, and stops on shutdown.
 * It runs with use-auth-secret (TURN REST credentials from the shared secret), no TLS/DTLS,
 * loopback peers allowed (a loopback deployment's clients are on 127.0.0.1), and the CLI on
 * loopback with a password only this process knows.
 */
export class ManagedCoturn {
  readonly endpoint: RelayEndpoint;
  readonly cliPassword = randomBytes(18).toString('base64url');
  private child: ChildProcess | undefined;
  private stopping = false;
  private exited: Promise<void> = Promise.resolve();

  constructor(
    private readonly components: ManagedCoturnComponents,
    private readonly init: ManagedCoturnInit,
  ) {
    this.endpoint = parseRelayEndpoint(`127.0.0.1:${init.port}?cli=${init.cliPort}`);
  }

  get pid(): number | undefined {
    return this.child?.pid;
  }

  /** Starts coturn and the supervision; settles once the first process is spawned. */
  async start(): Promise<void> {
    await mkdir(this.init.dir, { recursive: true });
    await this.spawnOnce();
    void this.supervise();
  }

  /** SIGTERM, SIGKILL after 5 s; no restart afterwards. */
  async stop(): Promise<void> {
    this.stopping = true;
    const child = this.child;
    if (child && child.exitCode === null && child.signalCode === null) {
      child.kill('SIGTERM');
      const timer = setTimeout(() => child.kill('SIGKILL'), 5000);
      await this.exited;
      clearTimeout(timer);
    }
  }

  private args(): string[] {
    const { init } = this;
    const min = init.minRelayPort ?? 49_160;
    return [
      '-n',
      '--listening-ip=127.0.0.1',
      '--relay-ip=127.0.0.1',
      `--listening-port=${init.port}`,
      `--min-port=${min}`,
      `--max-port=${init.maxRelayPort ?? min + 799}`,
      '--use-auth-secret',
      `--static-auth-secret=${init.secret}`,
      `--realm=${init.realm}`,
      '--fingerprint',
      '--no-tls',
      '--no-dtls',
      '--allow-loopback-peers',
      '--cli-ip=127.0.0.1',
      `--cli-port=${init.cliPort}`,
      `--cli-password=${this.cliPassword}`,
      `--log-file=${path.join(init.dir, 'turnserver.log')}`,
      '--simple-log',
      `--pidfile=${path.join(init.dir, 'turnserver.pid')}`,
      `--userdb=${path.join(init.dir, 'turndb')}`,
    ];
  }

  private spawnOnce(): Promise<void> {
    const binary = this.init.binary ?? 'turnserver';
    const child = spawn(binary, this.args(), { stdio: 'ignore' });
    this.child = child;
    this.exited = new Promise((resolve) => child.once('exit', () => resolve()));
    return new Promise((resolve, reject) => {
      child.once('spawn', () => {
        this.components.logger.info(
          { pid: child.pid, turn: this.endpoint.address, cli: this.init.cliPort, dir: this.init.dir },
          'coturn started',
        );
        resolve();
      });
      child.once('error', (error) =>
        reject(
          new RelayConfigError(
            'COTURN_MISSING',
            `cannot run ${binary} (${error.message}); install Debian's coturn (node tools/system/ensure-packages.cjs turnserver)`,
            { cause: error },
          ),
        ),
      );
    });
  }

  private async supervise(): Promise<void> {
    const { logger } = this.components;
    let delayMs = this.init.restartDelayMs ?? 1000;
    for (;;) {
      const startedAt = Date.now();
      const child = this.child;
      await this.exited;
      if (this.stopping) return;
      logger.warn(
        { pid: child?.pid, code: child?.exitCode, signal: child?.signalCode, restartInMs: delayMs },
        'coturn exited',
      );
      this.components.onExit?.(`coturn exited (${child?.signalCode ?? `code ${child?.exitCode}`})`);
      if (Date.now() - startedAt > STABLE_RUN_MS) delayMs = this.init.restartDelayMs ?? 1000;
      await sleep(delayMs);
      if (this.stopping) return;
      try {
        await this.spawnOnce();
      } catch (error) {
        logger.error({ err: error }, 'coturn restart failed');
      }
      delayMs = Math.min(delayMs * 2, MAX_RESTART_DELAY_MS);
    }
  }
}
