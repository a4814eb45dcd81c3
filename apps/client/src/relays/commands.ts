import type { Command } from 'commander';
import { UsageError, integerArgument, printResult } from '@p2psip/cli';
import { fetchConfiguration, readIdentity } from '@p2psip/enrollment-client';
import { DEFAULT_REDIR_BRANCHING_FACTOR } from '@p2psip/overlay-config';
import { Kind } from '@p2psip/storage';
import { attach } from '../storage/attachment';
import { StorageClient } from '../storage/storage-client';
import { findRelaysInOverlay } from './overlay-relays';
import { AttachmentRedirFetch } from './redir-port';
import { findRelays } from './relay-service-client';

interface RelaysOptions {
  identity: string;
  relay?: string;
  viaOverlay?: boolean;
  peer?: string;
  bootstrap?: string;
  count: number;
  clientAddress?: string;
  transport?: string;
  ttlS?: number;
  attempts: number;
  redir: boolean;
  configUrl?: string;
  timeoutMs: number;
  json?: boolean;
}

/** `p2psip relays`: TURN relays with credentials from a relay service, or found in the overlay. */
export function addRelayCommands(program: Command): void {
  program
    .command('relays')
    .description(
      'TURN relays for NAT traversal: ranked, with time-limited credentials, from a relay service (--relay); ' +
        'or, with --via-overlay, the TURN-SERVICE entries stored in the overlay (addresses only): ' +
        'through a ReDiR lookup of your Node-ID (turn-server), else Find at random ids',
    )
    .requiredOption('--identity <dir>', 'your enrolled identity (cert.pem, key.pem, ca.pem)')
    .option('--relay <host:port>', 'the relay service (p2psip-relay) to ask')
    .option('--via-overlay', 'find relays in the overlay (ReDiR lookup, else Find at random ids)')
    .option('--peer <host:port>', '--via-overlay: the peer to attach to')
    .option('--bootstrap <host:port>', '--via-overlay: a bootstrap service naming peers to attach to')
    .option('--count <n>', 'how many relays', integerArgument(1, 32), 3)
    .option('--client-address <ip[:port]>', 'your address: relays of its family rank first')
    .option('--transport <udp|tcp|tls|dtls>', 'relays accepting this transport rank first')
    .option('--ttl-s <s>', 'lifetime of the credentials (default: the service’s)', integerArgument(1))
    .option(
      '--attempts <n>',
      '--via-overlay: Finds at random ids before giving up (when ReDiR found none)',
      integerArgument(1, 1000),
      24,
    )
    .option('--no-redir', '--via-overlay: skip the ReDiR lookup, Find at random ids only')
    .option(
      '--config-url <url>',
      "--via-overlay: the overlay's configuration document, for ReDiR's branching factor (default 10)",
    )
    .option('--timeout-ms <ms>', 'deadline of each call', integerArgument(1), 15_000)
    .option('--json', 'print one JSON object')
    .action(async (options: RelaysOptions) => {
      if (Boolean(options.relay) === Boolean(options.viaOverlay))
        throw new UsageError('give --relay <host:port> or --via-overlay (with --peer or --bootstrap)');
      if (options.transport !== undefined && !['udp', 'tcp', 'tls', 'dtls'].includes(options.transport))
        throw new UsageError(`--transport must be udp, tcp, tls or dtls, got ${options.transport}`);
      const identity = await readIdentity(options.identity);
      if (!identity)
        throw new UsageError(`${options.identity} holds no enrolled identity (cert.pem, key.pem, ca.pem)`);
      if (options.relay) {
        const relays = await findRelays({
          identity,
          relay: options.relay,
          count: options.count,
          ...(options.clientAddress ? { clientAddress: options.clientAddress } : {}),
          ...(options.transport ? { transport: options.transport } : {}),
          ...(options.ttlS === undefined ? {} : { ttlS: options.ttlS }),
          timeoutMs: options.timeoutMs,
        });
        printResult({ source: 'relay-service', relay: options.relay, relays }, options, (r) =>
          r.relays.length === 0
            ? 'no healthy relay'
            : r.relays
                .map(
                  (relay) =>
                    `${relay.urls[0] ?? relay.address}  ${relay.health}, ${relay.allocations} allocation(s), ${relay.bandwidthBps} bit/s, rtt ${relay.rttMs} ms` +
                    (relay.credentials
                      ? `\n  user ${relay.credentials.username}  password ${relay.credentials.password}  until ${relay.credentials.expiresAt}`
                      : ''),
                )
                .join('\n'),
        );
        return;
      }
      if (!options.peer && !options.bootstrap)
        throw new UsageError('--via-overlay needs --peer <host:port> or --bootstrap <host:port>');
      const branchingFactor = options.configUrl
        ? (
            await fetchConfiguration({
              url: options.configUrl,
              caPem: identity.caPem,
              signal: AbortSignal.timeout(options.timeoutMs),
            })
          ).configuration.redirBranchingFactor
        : DEFAULT_REDIR_BRANCHING_FACTOR;
      const attachment = await attach(identity, options);
      try {
        const redirKind = attachment.kinds.get(Kind.Redir);
        const result = await findRelaysInOverlay({
          attachment,
          storage: new StorageClient(attachment, identity, options.timeoutMs),
          redir: !options.redir
            ? { skipped: '--no-redir' }
            : redirKind
              ? {
                  port: new AttachmentRedirFetch(
                    { attachment, identity },
                    {
                      kind: redirKind,
                      policy: { redirBranchingFactor: branchingFactor },
                      timeoutMs: options.timeoutMs,
                    },
                  ),
                  branchingFactor,
                }
              : { skipped: 'the overlay has no REDIR kind' },
          count: options.count,
          attempts: options.attempts,
          timeoutMs: options.timeoutMs,
        });
        printResult({ source: 'overlay', ...result }, options, (r) =>
          r.relays.length === 0
            ? `no TURN-SERVICE entry found (ReDiR: ${'skipped' in r.redir ? r.redir.skipped : `${r.redir.providers.length} provider(s)`}; ${r.finds} Find(s))`
            : r.relays
                .map(
                  (relay) =>
                    `turn:${relay.address}  ` +
                    (relay.method === 'redir' ? `(ReDiR provider ${relay.provider ?? '?'}` : '(Find') +
                    `, ${relay.signer ?? '?'}, ${relay.resourceId})`,
                )
                .join('\n'),
        );
      } finally {
        attachment.close();
      }
    });
}
