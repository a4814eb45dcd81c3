import type { Command } from 'commander';
import { createProgram, integerArgument, portArgument, waitForStopSignal } from '@p2psip/cli';
import { createLogger } from '@p2psip/telemetry';
import { serveBootstrap } from './serve';

/** The `p2psip-bootstrap` command line. */
export function buildProgram(version: string): Command {
  const program = createProgram({
    name: 'p2psip-bootstrap',
    description:
      'P2PSIP bootstrap service: the first contact of joining nodes. It serves the overlay configuration and the ' +
      'admitting peers closest to a Node-ID, and keeps a list of live peers.',
    version,
  });
  program
    .command('serve')
    .description(
      'run a bootstrap instance (several may run side by side; they hold no state that peers do not rebuild)',
    )
    .requiredOption('--config-url <url>', 'https://…/.well-known/reload-config of the enrollment server')
    .requiredOption('--ca <ca.pem>', 'the overlay CA certificate')
    .requiredOption('--identity <dir>', 'where this instance keeps its enrolled identity')
    .option('--user <user@domain>', 'enroll as this user when the identity dir is empty')
    .option('--password <password>', 'password for --user')
    .option('--host <address>', 'address to listen on', '127.0.0.1')
    .option('--grpc-port <port>', 'gRPC port (0 = any free port)', portArgument, 0)
    .option('--metrics-port <port>', 'Prometheus /metrics port (0 = any free port)', portArgument, 0)
    .option('--nats-url <url>', 'learn peers from NATS announcements')
    .option('--probe-interval-ms <ms>', 'how often live peers are probed', integerArgument(100), 3000)
    .option('--log-level <level>', 'pino log level', 'info')
    .action(async (options: ServeFlags) => {
      const logger = createLogger({ name: 'p2psip-bootstrap', level: options.logLevel });
      const running = await serveBootstrap(
        {
          configUrl: options.configUrl,
          caFile: options.ca,
          identityDir: options.identity,
          ...(options.user ? { userName: options.user } : {}),
          ...(options.password !== undefined ? { password: options.password } : {}),
          host: options.host,
          grpcPort: options.grpcPort,
          metricsPort: options.metricsPort,
          ...(options.natsUrl ? { natsUrl: options.natsUrl } : {}),
          probeIntervalMs: options.probeIntervalMs,
        },
        logger,
      );
      await waitForStopSignal();
      logger.info('stopping');
      await running.stop();
      logger.info('stopped');
    });
  return program;
}

interface ServeFlags {
  configUrl: string;
  ca: string;
  identity: string;
  user?: string;
  password?: string;
  host: string;
  grpcPort: number;
  metricsPort: number;
  natsUrl?: string;
  probeIntervalMs: number;
  logLevel: string;
}
