import { readFileSync } from 'node:fs';
import path from 'node:path';
import { type AppProcess, binPath, spawnApp } from '@p2psip/testing';

export interface EnrollmentEndpoints {
  readonly https: string;
  readonly grpc: string;
  readonly metrics: string;
}

export interface RunningEnrollment {
  readonly app: AppProcess;
  readonly endpoints: EnrollmentEndpoints;
  readonly caPem: string;
}

/** `p2psip-enrollment serve --dir <dir>` as a process, ready once it logs `ready`. */
export async function startEnrollment(
  dir: string,
  extraArgs: readonly string[] = [],
): Promise<RunningEnrollment> {
  const app = await spawnApp(binPath('p2psip-enrollment'), {
    args: ['serve', '--dir', dir, ...extraArgs],
    readyWhen: (line) => line.includes('"msg":"ready"'),
  });
  const endpoints = JSON.parse(readFileSync(path.join(dir, 'endpoints.json'), 'utf8')) as EnrollmentEndpoints;
  return { app, endpoints, caPem: readFileSync(path.join(dir, 'ca.pem'), 'utf8') };
}
