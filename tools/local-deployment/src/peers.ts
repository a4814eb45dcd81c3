import { execFile } from 'node:child_process';
import path from 'node:path';
import { promisify } from 'node:util';
import type { RunningEnrollment } from './enrollment';
import type { TrackChild } from './child-processes';
import { type ServiceProcess, startService } from './service-process';
import { serviceUserPassword } from './service-users';

const run = promisify(execFile);

export interface RunningPeers {
  readonly processes: readonly ServiceProcess[];
  readonly peers: readonly { readonly nodeId: string; readonly address: string }[];
}

/**
 * The overlay peers: `count` virtual peers spread over processes of at most `perProcess`, each
 * process enrolled as its own service user (a user always gets the same Node-IDs, so two
 * processes cannot share one). The first process forms the overlay.
 */
export async function startPeers(init: {
  readonly repoRoot: string;
  readonly stateDir: string;
  readonly overlay: string;
  readonly natsUrl: string;
  readonly enrollment: RunningEnrollment;
  readonly count: number;
  /** Virtual peers per process (one enrollment user each). */
  readonly perProcess: number;
  /** Registers each process as it is spawned, so a later failure or Ctrl-C still stops it. */
  readonly track: TrackChild;
}): Promise<RunningPeers> {
  const bin = (name: string) => path.join(init.repoRoot, 'node_modules', '.bin', name);
  const sizes = split(init.count, init.perProcess);
  await run(bin('p2psip-enrollment'), [
    'config',
    'set',
    '--max-node-ids',
    String(init.perProcess),
    '--dir',
    init.enrollment.stateDir,
  ]);
  const processes: ServiceProcess[] = [];
  const peers: { nodeId: string; address: string }[] = [];
  for (const [index, size] of sizes.entries()) {
    const name = `peer-${index + 1}`;
    const userName = `${name}@${init.overlay}`;
    const password = await serviceUserPassword(init, bin('p2psip-enrollment'), userName);
    const service = await startService({
      name,
      command: bin('p2psip-peer'),
      args: [
        'run',
        '--config-url',
        init.enrollment.configurationUrl,
        '--ca',
        init.enrollment.caFile,
        '--identity',
        path.join(init.stateDir, name),
        '--user',
        userName,
        '--password',
        password,
        '--count',
        String(size),
        '--nats-url',
        init.natsUrl,
        // Short maintenance intervals: a local ring should show repairs within seconds.
        '--update-interval-ms',
        '5000',
        ...(index === 0 ? ['--first'] : []),
      ],
      logDir: path.join(init.stateDir, 'logs'),
      readyWhen: (line) => line.includes('"msg":"ready"'),
      track: init.track,
    });
    processes.push(service);
    peers.push(...(JSON.parse(service.readyLine) as { peers: { nodeId: string; address: string }[] }).peers);
  }
  return { processes, peers };
}

function split(count: number, size: number): number[] {
  const processes = Math.max(1, Math.ceil(count / size));
  return Array.from(
    { length: processes },
    (_, i) => Math.floor(count / processes) + (i < count % processes ? 1 : 0),
  );
}
