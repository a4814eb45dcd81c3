import { type Command } from 'commander';
import { createProgram } from '@p2psip/cli';

/** The `p2psip-peer` command line. Subcommands arrive with the issues that build this service. */
export function buildProgram(version: string): Command {
  const program = createProgram({
    name: 'p2psip-peer',
    description:
      'P2PSIP overlay peer: a Chord-reload node (RFC 6940) that routes, stores and replicates overlay data over gRPC with mutual TLS; one process can host many virtual peers.',
    version,
  });
  // Without a subcommand there is nothing to do: show the usage and fail like any usage error.
  return program.action(() => program.help({ error: true }));
}
