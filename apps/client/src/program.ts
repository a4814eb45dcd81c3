import { type Command } from 'commander';
import { createProgram, printResult } from '@p2psip/cli';
import { resourceIdCommand } from './commands/resource-id';
import { addDiagnosticsCommands } from './diag/commands';

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
  addDiagnosticsCommands(program);
  return program;
}
