import { execFile } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { existsSync, readFileSync } from 'node:fs';
import { mkdir, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { promisify } from 'node:util';
import type { RunningEnrollment } from './enrollment';
import { type ServiceProcess, startService } from './service-process';

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
  /** Called as each instance runs, so a later failure still stops the ones already up. */
  readonly track: (service: ServiceProcess) => void;
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
    });
    init.track(service);
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

/** The service user's password: made (and the user added) on the first run, read afterwards. */
async function serviceUserPassword(
  init: { readonly stateDir: string; readonly enrollment: RunningEnrollment },
  enrollmentBin: string,
  userName: string,
): Promise<string> {
  const file = path.join(init.stateDir, 'service-users.json');
  const known = existsSync(file) ? (JSON.parse(readFileSync(file, 'utf8')) as Record<string, string>) : {};
  const existing = known[userName];
  if (existing) return existing;
  const password = randomBytes(18).toString('base64url');
  await run(enrollmentBin, [
    'user',
    'add',
    userName,
    '--password',
    password,
    '--dir',
    init.enrollment.stateDir,
  ]);
  await mkdir(init.stateDir, { recursive: true });
  await writeFile(file, `${JSON.stringify({ ...known, [userName]: password }, null, 2)}\n`, { mode: 0o600 });
  return password;
}

function readyAddress(service: ServiceProcess): string {
  const address = (JSON.parse(service.readyLine) as { grpc?: string }).grpc;
  if (!address) throw new Error(`${service.name} did not say where it listens; see ${service.logFile}`);
  return address;
}
