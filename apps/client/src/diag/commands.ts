import type { Command } from 'commander';
import { integerArgument, printResult } from '@p2psip/cli';
import { nodeIdFromHex, resourceIdOfName } from '@p2psip/identity';
import { diagnosticsIdentity } from './identity';
import { walkRing } from './ring-walk';
import { traceRoute } from './route-trace';

interface DiagOptions {
  bootstrap: string;
  identity: string;
  timeoutMs: number;
  json?: boolean;
}

/** `p2psip diag ring` and `p2psip diag route`: the overlay as operators check it. */
export function addDiagnosticsCommands(program: Command): void {
  const diag = program
    .command('diag')
    .description('overlay diagnostics (needs an enrolled identity and a bootstrap service)');
  withCommon(diag.command('ring'))
    .description('walk the ring and say whether every successor/predecessor link is consistent')
    .action(async (options: DiagOptions) => {
      const report = await walkRing({
        bootstrap: options.bootstrap,
        identity: await diagnosticsIdentity(options.identity),
        timeoutMs: options.timeoutMs,
      });
      printResult(report, options, (r) =>
        [
          ...r.nodes.map(
            (n) =>
              `${n.nodeId}  ${n.address}  succ ${n.successor ?? '-'}  pred ${n.predecessor ?? '-'}${n.problem ? `  ! ${n.problem}` : ''}`,
          ),
          `${r.peers} peers, ${r.consistent ? 'consistent' : 'NOT consistent'}`,
        ].join('\n'),
      );
      if (!report.consistent) process.exitCode = 1;
    });
  withCommon(
    diag.command('route').argument('<id-or-name>', '32-hex Node-ID/Resource-ID, or a resource name or AOR'),
  )
    .description('trace the route from a live peer to the peer responsible for an id, hop by hop')
    .action(async (target: string, options: DiagOptions) => {
      const destination = /^[0-9a-f]{32}$/i.test(target) ? nodeIdFromHex(target) : resourceIdOfName(target);
      const report = await traceRoute({
        bootstrap: options.bootstrap,
        identity: await diagnosticsIdentity(options.identity),
        destination,
        timeoutMs: options.timeoutMs,
      });
      printResult(report, options, (r) =>
        [
          `from ${r.from.nodeId} (${r.from.address}) to ${r.destination}`,
          ...r.hops.map(
            (h) =>
              `${String(h.hop).padStart(3)}  ${h.nodeId}  ${h.address || '-'}  ${h.latencyMs.toFixed(1)} ms${h.responsible ? '  responsible' : ''}`,
          ),
        ].join('\n'),
      );
    });
}

function withCommon(command: Command): Command {
  return command
    .requiredOption('--bootstrap <host:port>', 'a bootstrap service of the overlay')
    .requiredOption('--identity <dir>', 'an enrolled identity (cert.pem, key.pem, ca.pem)')
    .option('--timeout-ms <ms>', 'deadline of each call', integerArgument(1), 5000)
    .option('--json', 'print one JSON object');
}
