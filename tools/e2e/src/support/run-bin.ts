import { spawn } from 'node:child_process';
import { binPath, repoRoot } from '@p2psip/testing';

export interface BinResult {
  readonly status: number | null;
  readonly stdout: string;
  readonly stderr: string;
}

/** Runs an installed bin (as `npx <bin>` would) or any command, without blocking the event loop. */
export function runCommand(command: string, args: readonly string[], input?: Uint8Array): Promise<BinResult> {
  return new Promise((resolve, reject) => {
    const child = spawn(command, args, { cwd: repoRoot(), stdio: ['pipe', 'pipe', 'pipe'] });
    const out: Buffer[] = [];
    const err: Buffer[] = [];
    child.stdout.on('data', (chunk: Buffer) => out.push(chunk));
    child.stderr.on('data', (chunk: Buffer) => err.push(chunk));
    child.once('error', reject);
    child.once('close', (status) =>
      resolve({
        status,
        stdout: Buffer.concat(out).toString('utf8'),
        stderr: Buffer.concat(err).toString('utf8'),
      }),
    );
    child.stdin.end(input);
  });
}

export function runBin(bin: string, ...args: string[]): Promise<BinResult> {
  return runCommand(binPath(bin), args);
}

/** Like runBin, but fails the test with the output when the command fails. */
export async function runBinOk(bin: string, ...args: string[]): Promise<string> {
  const result = await runBin(bin, ...args);
  if (result.status !== 0)
    throw new Error(`${bin} ${args.join(' ')} → ${result.status}\n${result.stderr}${result.stdout}`);
  return result.stdout;
}
