import { type Command } from 'commander';
import { createProgram } from '@p2psip/cli';

/** The `p2psip-relay` command line. Subcommands arrive with the issues that build this service. */
export function buildProgram(version: string): Command {
  const program = createProgram({
    name: 'p2psip-relay',
    description:
      'P2PSIP relay discovery: registers and health-checks TURN servers (coturn), advertises them in the overlay and hands clients ranked relays with time-limited credentials.',
    version,
  });
  // Without a subcommand there is nothing to do: show the usage and fail like any usage error.
  return program.action(() => program.help({ error: true }));
}
