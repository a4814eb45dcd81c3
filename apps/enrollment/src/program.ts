import type { Command } from 'commander';
import { cpus } from 'node:os';
import path from 'node:path';
import { createProgram, integerArgument, portArgument, printResult, waitForStopSignal } from '@p2psip/cli';
import { createLogger } from '@p2psip/telemetry';
import { addAdminCommands } from './admin/admin-commands';
import { serve } from './serve';
import { initState } from './state/init-state';

const DAY_MS = 24 * 60 * 60 * 1000;

/** The `p2psip-enrollment` command line. */
export function buildProgram(version: string): Command {
  const program = createProgram({
    name: 'p2psip-enrollment',
    description:
      'P2PSIP enrollment server: the overlay certificate authority. It enrolls users and nodes (RFC 6940 §11.3), ' +
      'assigns Node-IDs, serves the signed overlay configuration document and the CRL, and publishes revocations.',
    version,
  });

  program
    .command('init')
    .description(
      'create a new CA, configuration signer, admin credential and first configuration in an empty state dir',
    )
    .requiredOption('--overlay <name>', 'overlay name, a DNS name (e.g. p2psip.test)')
    .requiredOption('--dir <state-dir>', 'state dir to create (must not exist or be empty)')
    .option('--host <name-or-address...>', 'names/addresses clients reach the server by', [
      'localhost',
      '127.0.0.1',
    ])
    .option('--json', 'print JSON')
    .action(async (options: { overlay: string; dir: string; host: string[]; json?: boolean }) => {
      const state = await initState({ dir: options.dir, overlay: options.overlay, hosts: options.host });
      const result = {
        overlay: state.facts.overlay,
        dir: state.layout.root,
        caFile: state.layout.caCertificate,
        adminCredential: state.layout.adminCertificate,
      };
      printResult(
        result,
        options,
        (r) => `created CA for ${r.overlay} in ${r.dir}\nCA certificate: ${r.caFile}`,
      );
    });

  program
    .command('serve')
    .description('run the enrollment server (HTTPS enrollment and configuration, gRPC enrollment and admin)')
    .requiredOption('--dir <state-dir>', 'state dir made by init')
    .option('--host <address>', 'address to listen on', '127.0.0.1')
    .option('--https-port <port>', 'HTTPS port (0 = any free port)', portArgument, 0)
    .option('--grpc-port <port>', 'gRPC port (0 = any free port)', portArgument, 0)
    .option('--metrics-port <port>', 'Prometheus /metrics port (0 = any free port)', portArgument, 0)
    .option('--mongodb-uri <uri>', 'store state in MongoDB instead of the embedded store')
    .option('--nats-url <url>', 'publish certificate events on NATS')
    .option('--certificate-days <days>', 'lifetime of issued certificates', integerArgument(1), 365)
    .option(
      '--signing-workers <n>',
      'threads that check CSRs and sign (0 = main thread)',
      integerArgument(0),
      cpus().length,
    )
    .option('--log-level <level>', 'pino log level', 'info')
    .action(async (options: ServeFlags) => {
      const logger = createLogger({ name: 'p2psip-enrollment', level: options.logLevel });
      const server = await serve(
        {
          dir: options.dir,
          host: options.host,
          httpsPort: options.httpsPort,
          grpcPort: options.grpcPort,
          metricsPort: options.metricsPort,
          ...(options.mongodbUri ? { mongodbUri: options.mongodbUri } : {}),
          ...(options.natsUrl ? { natsUrl: options.natsUrl } : {}),
          certificateValidityMs: options.certificateDays * DAY_MS,
          signingWorkers: options.signingWorkers,
          signingWorkerScript: path.join(__dirname, 'signing-worker.cjs'),
        },
        logger,
      );
      await waitForStopSignal();
      logger.info('stopping');
      await server.stop();
      logger.info('stopped');
    });

  addAdminCommands(program);
  return program;
}

interface ServeFlags {
  dir: string;
  host: string;
  httpsPort: number;
  grpcPort: number;
  metricsPort: number;
  mongodbUri?: string;
  natsUrl?: string;
  certificateDays: number;
  signingWorkers: number;
  logLevel: string;
}
