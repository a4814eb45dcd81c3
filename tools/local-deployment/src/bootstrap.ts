import { execFile } from 'node:child_process';
import path from 'node:path';
import { promisify } from 'node:util';
import type { RunningEnrollment } from './enrollment';
import type { TrackChild } from './child-processes';
import { type ServiceProcess, startService } from './service-process';
import { serviceUserPassword } from './service-users';

const run = promisify(execFile);

export interface RunningBootstraps {
  readonly processes: readonly ServiceProcess[];
  readonly addresses: readonly string[];
}

/**
 * Bootstrap instances enrolled as `bootstrap@<overlay>` (a user the launcher creates once, with a
 * generated password kept in the state dir) and published as the configuration's bootstrap-node
 * elements, as an operator would.
 */
export async function startBootstraps(init: {
  readonly repoRoot: string;
  readonly stateDir: string;
  readonly overlay: string;
  readonly natsUrl: string;
  readonly enrollment: RunningEnrollment;
  readonly count: number;
  /** Registers each instance as it is spawned, so a later failure or Ctrl-C still stops it. */
  readonly track: TrackChild;
}): Promise<RunningBootstraps> {
  const bin = (name: string) => path.join(init.repoRoot, 'node_modules', '.bin', name);
  const userName = `bootstrap@${init.overlay}`;
  const password = await serviceUserPassword(init, bin('p2psip-enrollment'), userName);
  const processes: ServiceProcess[] = [];
  const addresses: string[] = [];
  for (let i = 1; i <= init.count; i++) {
    const service = await startService({
      name: `bootstrap-${i}`,
      command: bin('p2psip-bootstrap'),
      args: [
        'serve',
        '--config-url',
        init.enrollment.configurationUrl,
        '--ca',
        init.enrollment.caFile,
        '--identity',
        path.join(init.stateDir, `bootstrap-${i}`),
        '--user',
        userName,
        '--password',
        password,
        '--nats-url',
        init.natsUrl,
      ],
      logDir: path.join(init.stateDir, 'logs'),
      readyWhen: (line) => line.includes('"msg":"ready"'),
      track: init.track,
    });
    processes.push(service);
    addresses.push(readyAddress(service));
  }
  await run(bin('p2psip-enrollment'), [
    'config',
    'set',
    '--bootstrap',
    ...addresses,
    '--dir',
    init.enrollment.stateDir,
  ]);
  return { processes, addresses };
}

function readyAddress(service: ServiceProcess): string {
  const address = (JSON.parse(service.readyLine) as { grpc?: string }).grpc;
  if (!address) throw new Error(`${service.name} did not say where it listens; see ${service.logFile}`);
  return address;
}
