import { type ChildProcess, spawn } from 'node:child_process';
import { createInterface } from 'node:readline';
import { stopProcess } from './nats-server';

export interface AppProcess {
  readonly child: ChildProcess;
  /** Every line the process wrote to stdout and stderr so far. */
  readonly output: readonly string[];
  /** Resolves with the first output line that matches. */
  waitForLine(match: (line: string) => boolean, timeoutMs?: number): Promise<string>;
  /** Resolves with the exit code (or signal name) once the process ends. */
  exited(): Promise<number | string>;
  /** SIGTERM, then SIGKILL after the grace period. */
  stop(graceMs?: number): Promise<void>;
}

export interface SpawnAppOptions {
  readonly args?: readonly string[];
  readonly cwd?: string;
  readonly env?: NodeJS.ProcessEnv;
  /** An output line that means "ready"; the call resolves once it appears. @default none: no wait */
  readonly readyWhen?: (line: string) => boolean;
  /** @default 30 s */
  readonly readyTimeoutMs?: number;
}

/**
 * Runs a command (usually an app's bin through node) as its own process, collects its output line
 * by line and, when asked, waits until a line says it is ready. A process that exits before it is
 * ready rejects with its output, which is what one needs to see when a test fails.
 */
export async function spawnApp(command: string, options: SpawnAppOptions = {}): Promise<AppProcess> {
  const child = spawn(command, [...(options.args ?? [])], {
    cwd: options.cwd,
    env: { ...process.env, ...options.env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const output: string[] = [];
  const waiters = new Set<{ match: (line: string) => boolean; resolve: (line: string) => void }>();
  const onLine = (line: string): void => {
    output.push(line);
    for (const waiter of waiters) {
      if (waiter.match(line)) {
        waiters.delete(waiter);
        waiter.resolve(line);
      }
    }
  };
  createInterface({ input: child.stdout }).on('line', onLine);
  createInterface({ input: child.stderr }).on('line', onLine);
  // 'close' (not 'exit'): it comes after stdout/stderr are drained, so `output` is complete.
  const exit = new Promise<number | string>((resolve) =>
    child.once('close', (code, signal) => resolve(code ?? signal ?? 'unknown')),
  );

  const waitForLine = (match: (line: string) => boolean, timeoutMs = 30_000): Promise<string> => {
    const seen = output.find(match);
    if (seen !== undefined) return Promise.resolve(seen);
    return new Promise<string>((resolve, reject) => {
      const waiter = { match, resolve: (line: string) => (clearTimeout(timer), resolve(line)) };
      const fail = (why: string): void => {
        waiters.delete(waiter);
        reject(new Error(`${command}: ${why}\n--- output ---\n${output.slice(-60).join('\n')}`));
      };
      const timer = setTimeout(() => fail(`no matching line within ${timeoutMs} ms`), timeoutMs);
      waiters.add(waiter);
      void exit.then((code) => {
        if (waiters.has(waiter)) {
          clearTimeout(timer);
          fail(`exited (${code}) before the expected line`);
        }
      });
    });
  };

  const app: AppProcess = {
    child,
    output,
    waitForLine,
    exited: () => exit,
    stop: (graceMs = 5000) => stopProcess(child, undefined, graceMs),
  };
  if (options.readyWhen) {
    try {
      await waitForLine(options.readyWhen, options.readyTimeoutMs);
    } catch (error) {
      await app.stop();
      throw error;
    }
  }
  return app;
}
