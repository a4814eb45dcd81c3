import { type ChildProcess, spawn } from 'node:child_process';
import { createWriteStream } from 'node:fs';
import { mkdir } from 'node:fs/promises';
import path from 'node:path';
import { createInterface } from 'node:readline';
import type { TrackChild } from './child-processes';

export interface ServiceProcess {
  readonly name: string;
  readonly child: ChildProcess;
  readonly logFile: string;
  /** The line that said the service is ready (services put their addresses in it). */
  readonly readyLine: string;
}

export interface StartServiceInit {
  readonly name: string;
  readonly command: string;
  readonly args: readonly string[];
  readonly logDir: string;
  /** The output line that says the service is up. */
  readonly readyWhen: (line: string) => boolean;
  /** @default 60 s */
  readonly timeoutMs?: number;
  /** Called as soon as the child is spawned (before it is ready), so that it is stopped with the rest. */
  readonly track: TrackChild;
}

/**
 * Starts one service of the deployment with its output in `<logDir>/<name>.log`, and resolves once
 * it prints its ready line. If it exits first, the error quotes the end of its log.
 */
export async function startService(init: StartServiceInit): Promise<ServiceProcess> {
  await mkdir(init.logDir, { recursive: true });
  const logFile = path.join(init.logDir, `${init.name}.log`);
  const log = createWriteStream(logFile, { flags: 'a' });
  const child = spawn(init.command, [...init.args], { stdio: ['ignore', 'pipe', 'pipe'] });
  init.track(init.name, child);
  const recent: string[] = [];
  const readyLine = await new Promise<string>((resolve, reject) => {
    const timer = setTimeout(
      () => fail(`not ready within ${init.timeoutMs ?? 60_000} ms`),
      init.timeoutMs ?? 60_000,
    );
    let settled = false;
    const fail = (why: string): void => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      // A service that never became ready must not outlive the failed start.
      if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
      reject(new Error(`${init.name} ${why}; see ${logFile}\n${recent.slice(-15).join('\n')}`));
    };
    const onLine = (line: string): void => {
      log.write(`${line}\n`);
      recent.push(line);
      if (recent.length > 50) recent.shift();
      if (!settled && init.readyWhen(line)) {
        settled = true;
        clearTimeout(timer);
        resolve(line);
      }
    };
    createInterface({ input: child.stdout }).on('line', onLine);
    createInterface({ input: child.stderr }).on('line', onLine);
    child.once('exit', (code, signal) => fail(`exited (${code ?? signal}) before it was ready`));
    child.once('error', (error) => fail(`could not start: ${error.message}`));
  });
  return { name: init.name, child, logFile, readyLine };
}
