import { type Command } from 'commander';
import { createProgram } from '@p2psip/cli';

/** The `p2psip-bootstrap` command line. Subcommands arrive with the issues that build this service. */
export function buildProgram(version: string): Command {
  const program = createProgram({
    name: 'p2psip-bootstrap',
    description:
      'P2PSIP bootstrap service: the first contact of joining nodes. It serves the overlay configuration and the admitting peers closest to a Node-ID, and keeps a list of live peers.',
    version,
  });
  // Without a subcommand there is nothing to do: show the usage and fail like any usage error.
  return program.action(() => program.help({ error: true }));
}
