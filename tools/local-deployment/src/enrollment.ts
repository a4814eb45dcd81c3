import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { execFileSync } from 'node:child_process';
import type { TrackChild } from './child-processes';
import { type ServiceProcess, startService } from './service-process';

export interface RunningEnrollment {
  readonly process: ServiceProcess;
  readonly stateDir: string;
  readonly https: string;
  readonly grpc: string;
  readonly metrics: string;
  readonly caFile: string;
  readonly configurationUrl: string;
}

/**
 * The enrollment service of the deployment: a CA made on the first run (kept across runs in the
 * state dir, so enrolled identities stay valid), served with NATS events.
 */
export async function startEnrollment(init: {
  readonly repoRoot: string;
  readonly stateDir: string;
  readonly overlay: string;
  readonly natsUrl: string;
  readonly track: TrackChild;
}): Promise<RunningEnrollment> {
  const bin = path.join(init.repoRoot, 'node_modules', '.bin', 'p2psip-enrollment');
  const dir = path.join(init.stateDir, 'enrollment');
  if (!existsSync(path.join(dir, 'overlay.json'))) {
    execFileSync(bin, ['init', '--overlay', init.overlay, '--dir', dir], { stdio: 'inherit' });
  }
  const service = await startService({
    name: 'enrollment',
    command: bin,
    args: ['serve', '--dir', dir, '--nats-url', init.natsUrl],
    logDir: path.join(init.stateDir, 'logs'),
    readyWhen: (line) => line.includes('"msg":"ready"'),
    track: init.track,
  });
  const endpoints = JSON.parse(readFileSync(path.join(dir, 'endpoints.json'), 'utf8')) as {
    https: string;
    grpc: string;
    metrics: string;
  };
  return {
    process: service,
    stateDir: dir,
    ...endpoints,
    caFile: path.join(dir, 'ca.pem'),
    configurationUrl: `https://${endpoints.https}/.well-known/reload-config`,
  };
}
