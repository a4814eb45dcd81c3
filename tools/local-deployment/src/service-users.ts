import { execFile } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { existsSync, readFileSync } from 'node:fs';
import { mkdir, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { promisify } from 'node:util';
import type { RunningEnrollment } from './enrollment';

const run = promisify(execFile);

/**
 * A service user's password (bootstrap, peer processes): made, and the user added, on the first
 * run; read from `<state-dir>/service-users.json` (0600) afterwards, so identities stay valid.
 */
export async function serviceUserPassword(
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
