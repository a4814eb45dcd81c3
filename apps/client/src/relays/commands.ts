import type { Command } from 'commander';
import { UsageError, integerArgument, printResult } from '@p2psip/cli';
import { readIdentity } from '@p2psip/enrollment-client';
import { attach } from '../storage/attachment';
import { StorageClient } from '../storage/storage-client';
import { findRelaysInOverlay } from './overlay-relays';
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
  timeoutMs: number;
  json?: boolean;
}

/** `p2psip relays`: TURN relays with credentials from a relay service, or found in the overlay. */
export function addRelayCommands(program: Command): void {
  program
    .command('relays')
    .description(
      'TURN relays for NAT traversal: ranked, with time-limited credentials, from a relay service (--relay); ' +
        'or, with --via-overlay, the TURN-SERVICE entries stored in the overlay (addresses only)',
    )
    .requiredOption('--identity <dir>', 'your enrolled identity (cert.pem, key.pem, ca.pem)')
    .option('--relay <host:port>', 'the relay service (p2psip-relay) to ask')
    .option('--via-overlay', 'find relays in the overlay (Find at random ids, Fetch TURN-SERVICE)')
    .option('--peer <host:port>', '--via-overlay: the peer to attach to')
    .option('--bootstrap <host:port>', '--via-overlay: a bootstrap service naming peers to attach to')
    .option('--count <n>', 'how many relays', integerArgument(1, 32), 3)
    .option('--client-address <ip[:port]>', 'your address: relays of its family rank first')
    .option('--transport <udp|tcp|tls|dtls>', 'relays accepting this transport rank first')
    .option('--ttl-s <s>', 'lifetime of the credentials (default: the service’s)', integerArgument(1))
    .option(
      '--attempts <n>',
      '--via-overlay: Finds at random ids before giving up',
      integerArgument(1, 1000),
      24,
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
                    `${relay.urls[0] ?? relay.address}  ${relay.health}, ${relay.allocations} allocation(s), rtt ${relay.rttMs} ms` +
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
      const attachment = await attach(identity, options);
      try {
        const result = await findRelaysInOverlay({
          attachment,
          storage: new StorageClient(attachment, identity, options.timeoutMs),
          count: options.count,
          attempts: options.attempts,
          timeoutMs: options.timeoutMs,
        });
        printResult({ source: 'overlay', ...result }, options, (r) =>
          r.relays.length === 0
            ? `no TURN-SERVICE entry found in ${r.finds} Find(s)`
            : r.relays
                .map((relay) => `turn:${relay.address}  (${relay.signer ?? '?'}, ${relay.resourceId})`)
                .join('\n'),
        );
      } finally {
        attachment.close();
      }
    });
}
