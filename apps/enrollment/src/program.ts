import { type Command } from 'commander';
import { createProgram } from '@p2psip/cli';

/** The `p2psip-enrollment` command line. Subcommands arrive with the issues that build this service. */
export function buildProgram(version: string): Command {
  const program = createProgram({
    name: 'p2psip-enrollment',
    description:
      'P2PSIP enrollment server: the overlay certificate authority. It enrolls users and nodes (RFC 6940 §11.3), assigns Node-IDs, serves the signed overlay configuration document and the CRL, and publishes revocations.',
    version,
  });
  // Without a subcommand there is nothing to do: show the usage and fail like any usage error.
  return program.action(() => program.help({ error: true }));
}
