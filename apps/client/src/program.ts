import { type Command } from 'commander';
import { createProgram, integerArgument, printResult } from '@p2psip/cli';
import { enrollClient } from './commands/enroll';
import { resourceIdCommand } from './commands/resource-id';
import { addDiagnosticsCommands } from './diag/commands';
import { addRelayCommands } from './relays/commands';
import { addSipCommands } from './sip/commands';
import { addSipEdgeCommand } from './sip-edge/command';
import { addSessionCommands } from './sip/session-commands';
import { addStorageCommands } from './storage/commands';

/** The `p2psip` command line: the thin client. */
export function buildProgram(version: string): Command {
  const program = createProgram({
    name: 'p2psip',
    description:
      'P2PSIP thin client: find users on the overlay by their SIP address (AOR). ' +
      'It stores nothing for others and routes nothing.',
    version,
  });
  program
    .command('resource-id')
    .description('print the Resource-ID (top 128 bits of SHA-1) of a resource name or SIP AOR')
    .argument('<name-or-AOR>', 'e.g. sip:alice@dht.example.com, alice@dht.example.com or turn-server')
    .option('--json', 'print one JSON object: {input, resourceName, resourceId}')
    .action((input: string, options: { json?: boolean }) => {
      printResult(resourceIdCommand(input), options, (result) => result.resourceId);
    });
  program
    .command('enroll')
    .description('enroll this client with the overlay (RFC 6940 §11.3) into an identity dir')
    .requiredOption('--config-url <url>', 'https://…/.well-known/reload-config of the enrollment server')
    .requiredOption('--ca <ca.pem>', 'the overlay CA certificate')
    .requiredOption('--identity <dir>', 'where the identity is kept (cert.pem, key.pem, ca.pem)')
    .option('--user <user@domain>', 'your user name (needed unless the dir holds a valid identity)')
    .option('--password <password>', 'your password')
    .option(
      '--node-ids <n>',
      'Node-IDs to hold, one per device that registers your AOR (listen/call --device <i> picks one)',
      integerArgument(1, 64),
    )
    .option('--timeout-ms <ms>', 'deadline of the whole enrollment', integerArgument(1), 30_000)
    .option('--json', 'print one JSON object')
    .action(
      async (options: {
        configUrl: string;
        ca: string;
        identity: string;
        user?: string;
        password?: string;
        nodeIds?: number;
        timeoutMs: number;
        json?: boolean;
      }) => {
        const result = await enrollClient({
          configUrl: options.configUrl,
          caFile: options.ca,
          identityDir: options.identity,
          ...(options.user ? { userName: options.user } : {}),
          ...(options.password !== undefined ? { password: options.password } : {}),
          ...(options.nodeIds ? { nodeIdCount: options.nodeIds } : {}),
          timeoutMs: options.timeoutMs,
        });
        printResult(
          result,
          options,
          (r) =>
            `${r.enrolled ? 'enrolled' : 'already enrolled'}: ${r.userName ?? '?'} as ${r.nodeIds.join(', ')} in ${r.overlay}`,
        );
      },
    );
  addDiagnosticsCommands(program);
  addStorageCommands(program);
  addRelayCommands(program);
  addSipCommands(program);
  addSessionCommands(program);
  addSipEdgeCommand(program);
  return program;
}
