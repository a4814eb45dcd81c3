import { type ChildProcess, spawn } from 'node:child_process';
import { createWriteStream, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { createInterface } from 'node:readline';

/** Where the PIDs of a running benchmark are noted, so the next run can end what a crash left. */
const PID_FILE = path.join(tmpdir(), 'p2psip-bench-sip.pids');

interface Tracked {
  readonly child: ChildProcess;
  readonly name: string;
  /** Kill the whole process group (kamailio forks its workers). */
  readonly group: boolean;
}

/**
 * Every process the benchmark starts: stopped together at the end, on SIGINT/SIGTERM, and — with
 * SIGKILL — when the benchmark itself exits without stopping them. Their PIDs are kept in a file
 * with the run's marker (its work dir), so a run killed with SIGKILL is cleaned up by the next.
 */
export class ProcessGroup {
  private readonly tracked = new Set<Tracked>();

  constructor(private readonly marker: string) {}

  /** Ends processes a previous run left behind: only PIDs it noted whose command line has its marker. */
  static endLeftovers(): string[] {
    let noted: { marker: string; pids: number[] };
    try {
      noted = JSON.parse(readFileSync(PID_FILE, 'utf8')) as { marker: string; pids: number[] };
    } catch {
      return [];
    }
    const ended: string[] = [];
    for (const pid of noted.pids) {
      let command: string;
      try {
        command = readFileSync(`/proc/${pid}/cmdline`, 'utf8').replaceAll('\0', ' ');
      } catch {
        continue; // gone already
      }
      if (!command.includes(noted.marker)) continue; // the PID was reused by something else
      for (const target of [-pid, pid]) {
        try {
          // The group first: a kamailio started detached leads one, with its workers in it.
          process.kill(target, 'SIGKILL');
          ended.push(`${pid} ${command.slice(0, 80)}`);
          break;
        } catch {
          // not a group leader, or exited in between
        }
      }
    }
    rmSync(PID_FILE, { force: true });
    // The marker is that run's work dir.
    if (path.dirname(noted.marker) === tmpdir()) rmSync(noted.marker, { recursive: true, force: true });
    return ended;
  }

  /** Stops everything on SIGINT/SIGTERM (exit 130/143) and SIGKILLs leftovers on exit. */
  installHandlers(): void {
    const onSignal = (signal: NodeJS.Signals, code: number): void => {
      console.error(`\n${signal}: stopping every process the benchmark started…`);
      void this.stopAll().finally(() => process.exit(code));
    };
    process.once('SIGINT', () => onSignal('SIGINT', 130));
    process.once('SIGTERM', () => onSignal('SIGTERM', 143));
    process.once('exit', () => this.killAll());
  }

  /** Starts tracking `child`; `group` kills its process group (spawn it with `detached: true`). */
  add(child: ChildProcess, name: string, group = false): ChildProcess {
    const entry = { child, name, group };
    this.tracked.add(entry);
    child.once('exit', () => {
      this.tracked.delete(entry);
      this.note();
    });
    this.note();
    return child;
  }

  /** SIGTERM, then SIGKILL after `graceMs`; resolves once the process exited. */
  async stop(child: ChildProcess, graceMs = 5000): Promise<void> {
    const entry = [...this.tracked].find((t) => t.child === child);
    if (!entry || !isRunning(child)) return;
    const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
    signal(entry, 'SIGTERM');
    const timer = setTimeout(() => signal(entry, 'SIGKILL'), graceMs);
    await exited;
    clearTimeout(timer);
  }

  /** Stops every tracked process, the most recently started first. */
  async stopAll(): Promise<void> {
    for (const entry of [...this.tracked].reverse()) await this.stop(entry.child, 3000);
    rmSync(PID_FILE, { force: true });
  }

  private killAll(): void {
    for (const entry of this.tracked) if (isRunning(entry.child)) signal(entry, 'SIGKILL');
  }

  private note(): void {
    const pids = [...this.tracked].flatMap((t) => (t.child.pid ? [t.child.pid] : []));
    writeFileSync(PID_FILE, JSON.stringify({ marker: this.marker, pids }));
  }
}

function isRunning(child: ChildProcess): boolean {
  return child.exitCode === null && child.signalCode === null;
}

function signal(entry: Tracked, name: NodeJS.Signals): void {
  try {
    if (entry.group && entry.child.pid) process.kill(-entry.child.pid, name);
    else entry.child.kill(name);
  } catch {
    // already gone
  }
}

export interface LongRunningInit {
  readonly name: string;
  readonly command: string;
  readonly args: readonly string[];
  /** The output line that means ready. */
  readonly readyWhen: (line: string) => boolean;
  /** @default 60 s */
  readonly readyTimeoutMs?: number;
  /** Sees every output line (stdout and stderr); the process keeps only a tail. */
  readonly onLine?: (line: string) => void;
  /** Where all of its output goes as well. */
  readonly logFile: string;
}

export interface LongRunning {
  readonly child: ChildProcess;
  /** The line that said ready. */
  readonly readyLine: string;
  /** The last lines of output, for failure reports. */
  tail(): string[];
}

/** Spawns a server-like process, tracked by `processes`, and waits for its ready line. */
export async function startLongRunning(processes: ProcessGroup, init: LongRunningInit): Promise<LongRunning> {
  const child = spawn(init.command, [...init.args], { stdio: ['ignore', 'pipe', 'pipe'] });
  processes.add(child, init.name);
  const log = createWriteStream(init.logFile);
  child.once('close', () => log.end());
  const lines: string[] = [];
  let onReady: ((line: string) => void) | undefined;
  const onLine = (line: string): void => {
    log.write(`${line}\n`);
    lines.push(line);
    if (lines.length > 200) lines.splice(0, lines.length - 200);
    init.onLine?.(line);
    if (onReady && init.readyWhen(line)) onReady(line);
  };
  createInterface({ input: child.stdout }).on('line', onLine);
  createInterface({ input: child.stderr }).on('line', onLine);
  const timeoutMs = init.readyTimeoutMs ?? 60_000;
  try {
    const readyLine = await new Promise<string>((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`no ready line within ${timeoutMs} ms`)), timeoutMs);
      onReady = (line) => {
        clearTimeout(timer);
        onReady = undefined;
        resolve(line);
      };
      child.once('exit', (code, signal) => {
        clearTimeout(timer);
        reject(new Error(`exited (${code ?? signal}) before it was ready`));
      });
    });
    return { child, readyLine, tail: () => [...lines] };
  } catch (error) {
    await processes.stop(child);
    throw new Error(`${init.name}: ${(error as Error).message}\n${lines.slice(-40).join('\n')}`, {
      cause: error,
    });
  }
}
