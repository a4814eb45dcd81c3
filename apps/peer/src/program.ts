import { type Command, InvalidArgumentError } from 'commander';
import { createProgram, integerArgument, portArgument } from '@p2psip/cli';
import { createLogger } from '@p2psip/telemetry';
import {
  type HeapMode,
  LEAN_HEAP_FROM_PEERS,
  applyHeapMode,
  parseHeapMode,
  resolveHeapMode,
} from './heap-mode';
import { runPeers } from './run';

/** The `p2psip-peer` command line. */
export function buildProgram(version: string): Command {
  const program = createProgram({
    name: 'p2psip-peer',
    description:
      'P2PSIP overlay peer: a Chord-reload node (RFC 6940) that routes, stores and replicates overlay data over gRPC with ' +
      'mutual TLS; one process can host many virtual peers.',
    version,
  });
  program
    .command('run')
    .description('run overlay peers until SIGTERM (then they leave gracefully)')
    .requiredOption('--config-url <url>', 'https://…/.well-known/reload-config of the enrollment server')
    .requiredOption('--ca <ca.pem>', 'the overlay CA certificate')
    .requiredOption('--identity <dir>', 'where the enrolled identity is kept (enrolls into it when empty)')
    .option('--user <user@domain>', 'enroll as this user when the identity dir is empty')
    .option('--password <password>', 'password for --user')
    .option(
      '--listen <host:port>',
      'where peers listen; virtual peer i uses port + i (port 0 = free ports)',
      '127.0.0.1:0',
    )
    .option('--count <n>', 'virtual peers in this process (one Node-ID each)', integerArgument(1, 1000), 1)
    .option('--first', 'this process starts a new overlay (its first peer is the first node)', false)
    .option('--bootstrap <host:port...>', 'bootstrap services besides those in the configuration', [])
    .option('--nats-url <url>', 'announce peers and follow revocations on NATS')
    .option('--state-dir <dir>', 'known peers (for rejoining) and stored values (default: the identity dir)')
    .option('--metrics-port <port>', 'Prometheus /metrics port (0 = any free port)', portArgument, 0)
    .option(
      '--update-interval-ms <ms>',
      'override the configuration’s chord-update-interval',
      integerArgument(100),
    )
    .option('--mongodb-uri <uri>', 'keep stored values in MongoDB (a collection per peer) instead of lmdb')
    .option(
      '--replica-hold-down-ms <ms>',
      'how long a new successor waits before it gets replicas (default 30000)',
      integerArgument(0),
    )
    .option(
      '--heap <mode>',
      `V8 heap tuning: lean (less memory, more CPU under load), fast, or auto (lean from ${LEAN_HEAP_FROM_PEERS} virtual peers)`,
      parseHeapMode,
      'auto' as HeapMode,
    )
    .option('--log-level <level>', 'pino log level', 'info')
    .action(async (options: RunFlags) => {
      const logger = createLogger({ name: 'p2psip-peer', level: options.logLevel });
      const heap = resolveHeapMode(options.heap, options.count);
      applyHeapMode(heap);
      logger.info({ heap, requested: options.heap }, 'heap mode');
      const [host, listenPort] = splitListen(options.listen);
      // Installed before starting: SIGTERM while joining must stop cleanly, not kill half a peer.
      const stopping = new AbortController();
      const stop = (): void => stopping.abort();
      process.once('SIGTERM', stop);
      process.once('SIGINT', stop);
      const running = await runPeers(
        {
          configUrl: options.configUrl,
          caFile: options.ca,
          identityDir: options.identity,
          stateDir: options.stateDir ?? options.identity,
          ...(options.user ? { userName: options.user } : {}),
          ...(options.password !== undefined ? { password: options.password } : {}),
          host,
          port: listenPort,
          count: options.count,
          first: options.first,
          bootstrap: options.bootstrap,
          ...(options.natsUrl ? { natsUrl: options.natsUrl } : {}),
          metricsPort: options.metricsPort,
          ...(options.updateIntervalMs ? { updateIntervalMs: options.updateIntervalMs } : {}),
          ...(options.mongodbUri ? { mongodbUri: options.mongodbUri } : {}),
          ...(options.replicaHoldDownMs !== undefined
            ? { replicaHoldDownMs: options.replicaHoldDownMs }
            : {}),
        },
        logger,
        stopping.signal,
      ).catch((error: unknown) => {
        // Whatever started is stopped by now; say why and end, even if a stray handle remains.
        logger.error({ err: error }, stopping.signal.aborted ? 'stopped while starting' : 'could not start');
        process.exit(stopping.signal.aborted ? 0 : 1);
      });
      if (!stopping.signal.aborted) {
        await new Promise<void>((resolve) =>
          stopping.signal.addEventListener('abort', () => resolve(), { once: true }),
        );
      }
      logger.info('leaving the overlay');
      await running.stop({ graceful: true });
      logger.info('stopped');
      // Links and timers are closed; anything left (a NATS reconnect) must not keep us alive.
      process.exit(0);
    });
  return program;
}

interface RunFlags {
  configUrl: string;
  ca: string;
  identity: string;
  user?: string;
  password?: string;
  listen: string;
  count: number;
  first: boolean;
  bootstrap: string[];
  natsUrl?: string;
  stateDir?: string;
  metricsPort: number;
  updateIntervalMs?: number;
  mongodbUri?: string;
  replicaHoldDownMs?: number;
  heap: HeapMode;
  logLevel: string;
}

function splitListen(text: string): [string, number] {
  const match = /^(.+):(\d{1,5})$/.exec(text);
  const value = Number(match?.[2]);
  if (!match || value > 65535) throw new InvalidArgumentError(`--listen takes host:port, got ${text}`);
  return [match[1] ?? '127.0.0.1', value];
}
