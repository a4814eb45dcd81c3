import path from 'node:path';
import type { Command } from 'commander';
import { UsageError, createProgram, integerArgument, portArgument, waitForStopSignal } from '@p2psip/cli';
import { createLogger } from '@p2psip/telemetry';
import { parseRelayEndpoints, readSecretFile } from './config';
import { serveRelay } from './serve';

/** The `p2psip-relay` command line. */
export function buildProgram(version: string): Command {
  const program = createProgram({
    name: 'p2psip-relay',
    description:
      'P2PSIP relay discovery: registers and health-checks TURN servers (coturn), advertises them in the overlay and hands clients ranked relays with time-limited credentials.',
    version,
  });
  program
    .command('serve')
    .description(
      'check TURN servers, advertise them in the overlay (TURN-SERVICE, ReDiR turn-server) and serve FindRelays',
    )
    .requiredOption('--config-url <url>', 'https://…/.well-known/reload-config of the enrollment server')
    .requiredOption('--ca <ca.pem>', 'the overlay CA certificate')
    .requiredOption('--identity <dir>', 'where this service keeps its enrolled identity')
    .option('--user <user@domain>', 'enroll as this user when the identity dir is empty')
    .option('--password <password>', 'password for --user')
    .option(
      '--turn <ip:port[?cli=port]>',
      'a TURN server (coturn with use-auth-secret) to check and hand out; repeat for several',
      (value: string, previous: string[]) => [...previous, value],
      [] as string[],
    )
    .requiredOption(
      '--turn-secret-file <file>',
      "the TURN servers' shared secret (coturn static-auth-secret)",
    )
    .option('--turn-cli-password-file <file>', 'password of the coturn CLIs named by ?cli= (load reports)')
    .option('--manage-coturn', 'run and supervise a coturn on 127.0.0.1 with that secret')
    .option('--coturn-port <port>', 'TURN port of the managed coturn', portArgument, 3478)
    .option('--coturn-cli-port <port>', 'CLI port of the managed coturn', portArgument, 5766)
    .option(
      '--coturn-dir <dir>',
      'userdb, pid file and log of the managed coturn (default <identity>/coturn)',
    )
    .option(
      '--coturn-restart-delay-ms <ms>',
      'first pause before restarting a managed coturn that died (doubles per quick crash, up to 30 s)',
      integerArgument(100, 30_000),
      1000,
    )
    .option('--host <address>', 'address to listen on', '127.0.0.1')
    .option('--grpc-port <port>', 'gRPC port (0 = any free port)', portArgument, 0)
    .option('--metrics-port <port>', 'Prometheus /metrics port (0 = any free port)', portArgument, 0)
    .option('--nats-url <url>', 'publish health changes on p2psip.<overlay>.relay.health')
    .option(
      '--check-interval-ms <ms>',
      'pause between health checks of every relay',
      integerArgument(100),
      5000,
    )
    .option('--credential-ttl-s <s>', 'lifetime of issued TURN credentials', integerArgument(1, 86_400), 3600)
    .option(
      '--max-credential-ttl-s <s>',
      'longest lifetime a client may ask for',
      integerArgument(1, 7 * 86_400),
      86_400,
    )
    .option('--realm <realm>', 'TURN realm (default: the overlay name)')
    .option('--no-advertise', 'do not advertise in the overlay (neither TURN-SERVICE nor ReDiR)')
    .option('--peer <host:port>', 'the peer to store TURN-SERVICE values and ReDiR records through')
    .option('--bootstrap <host:port>', 'a bootstrap service naming peers (default: the configuration’s)')
    .option(
      '--turn-density <n>',
      'TURN-SERVICE positions per relay (default: the configuration’s)',
      integerArgument(1, 20),
    )
    .option(
      '--advertise-lifetime-s <s>',
      'lifetime of TURN-SERVICE values (refreshed at half)',
      integerArgument(2, 86_400),
      600,
    )
    .option(
      '--redir-lifetime-s <s>',
      'lifetime of the ReDiR records under turn-server (RFC 7374; refreshed at 90 %)',
      integerArgument(2, 86_400),
      600,
    )
    .option('--log-level <level>', 'pino log level', 'info')
    .action(async (flags: ServeFlags) => {
      if (flags.turn.length === 0 && !flags.manageCoturn)
        throw new UsageError('give at least one --turn <ip:port>, or --manage-coturn');
      if (flags.maxCredentialTtlS < flags.credentialTtlS)
        throw new UsageError('--max-credential-ttl-s must not be below --credential-ttl-s');
      const relays = parseRelayEndpoints(flags.turn);
      const secret = await readSecretFile(flags.turnSecretFile, '--turn-secret-file');
      const cliPassword = flags.turnCliPasswordFile
        ? await readSecretFile(flags.turnCliPasswordFile, '--turn-cli-password-file')
        : undefined;
      const logger = createLogger({ name: 'p2psip-relay', level: flags.logLevel });
      const running = await serveRelay(
        {
          configUrl: flags.configUrl,
          caFile: flags.ca,
          identityDir: flags.identity,
          ...(flags.user ? { userName: flags.user } : {}),
          ...(flags.password !== undefined ? { password: flags.password } : {}),
          relays,
          secret,
          ...(cliPassword === undefined ? {} : { cliPassword }),
          ...(flags.manageCoturn
            ? {
                managedCoturn: {
                  port: flags.coturnPort,
                  cliPort: flags.coturnCliPort,
                  dir: flags.coturnDir ?? path.join(flags.identity, 'coturn'),
                  restartDelayMs: flags.coturnRestartDelayMs,
                },
              }
            : {}),
          host: flags.host,
          grpcPort: flags.grpcPort,
          metricsPort: flags.metricsPort,
          ...(flags.natsUrl ? { natsUrl: flags.natsUrl } : {}),
          checkIntervalMs: flags.checkIntervalMs,
          credentialTtlMs: flags.credentialTtlS * 1000,
          maxCredentialTtlMs: flags.maxCredentialTtlS * 1000,
          ...(flags.realm ? { realm: flags.realm } : {}),
          advertise: {
            enabled: flags.advertise,
            ...(flags.peer ? { peer: flags.peer } : {}),
            ...(flags.bootstrap ? { bootstrap: flags.bootstrap } : {}),
            ...(flags.turnDensity === undefined ? {} : { turnDensity: flags.turnDensity }),
            lifetimeS: flags.advertiseLifetimeS,
            redirLifetimeS: flags.redirLifetimeS,
          },
        },
        logger,
      );
      await waitForStopSignal();
      logger.info('stopping');
      await running.stop();
      logger.info('stopped');
    });
  // Without a subcommand there is nothing to do: show the usage and fail like any usage error.
  return program.action(() => program.help({ error: true }));
}

interface ServeFlags {
  configUrl: string;
  ca: string;
  identity: string;
  user?: string;
  password?: string;
  turn: string[];
  turnSecretFile: string;
  turnCliPasswordFile?: string;
  manageCoturn?: boolean;
  coturnPort: number;
  coturnCliPort: number;
  coturnDir?: string;
  coturnRestartDelayMs: number;
  host: string;
  grpcPort: number;
  metricsPort: number;
  natsUrl?: string;
  checkIntervalMs: number;
  credentialTtlS: number;
  maxCredentialTtlS: number;
  realm?: string;
  advertise: boolean;
  peer?: string;
  bootstrap?: string;
  turnDensity?: number;
  advertiseLifetimeS: number;
  redirLifetimeS: number;
  logLevel: string;
}
