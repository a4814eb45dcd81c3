import { type ChildProcess, spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { readFile, readdir, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { repoRoot, requireCommand, stopProcess, unusedUdpPort } from '@p2psip/testing';

/** Our sipp scenarios (the built-in `-sn uac` / `-sn uas` need none). */
export const SIPP_SCENARIOS = path.join(repoRoot(), 'tools', 'e2e', 'sipp');

/** The figures of one sipp run, from its `-trace_stat` file (cumulative columns). */
export interface SippStats {
  readonly created: number;
  readonly successful: number;
  readonly failed: number;
  readonly incoming: number;
  readonly retransmissions: number;
  readonly elapsedS: number;
  /** Mean of the scenario's first response-time measure (rtd), ms. */
  readonly responseTimeMs: number;
}

export interface SippResult {
  readonly status: number | string;
  readonly stats: SippStats;
  /** Every measured response time (`-trace_rtt`), ms, in order. */
  readonly rttMs: readonly number[];
  /** sipp's error log (unexpected messages, timeouts), empty when clean. */
  readonly errors: string;
  /** The end of the SIP message trace, for failure reports. */
  readonly messagesTail: string;
  readonly stdoutTail: string;
}

export interface SippInit {
  /** A short label; names the stat, error and message files in the work dir. */
  readonly name: string;
  /** `host:port` of the element under test; omitted for a UAS. */
  readonly remote?: string;
  /** Scenario (`-sf …` or `-sn …`) and the run's own options (-m, -r, -p, -inf …). */
  readonly args: readonly string[];
  /** sipp quits (and fails) after this long: nothing can hang a test. */
  readonly timeoutS: number;
  /**
   * Its UDP port (a registering UAS needs to know it). @default a free one — never sipp's own
   * default, which is 5060 when that is free.
   */
  readonly localPort?: number;
}

/** A sipp left running (a UAS) until stopped. */
export interface RunningSipp {
  readonly child: ChildProcess;
  /** Its UDP port on 127.0.0.1. */
  readonly port: number;
  /** The cumulative statistics so far (sipp dumps them every second). */
  stats(): Promise<SippStats | undefined>;
  /** SIGTERM → sipp quits; resolves with the final figures. */
  stop(): Promise<SippResult>;
}

/**
 * Runs sipp (Debian `sip-tester`) in a work dir, with the options every run needs: loopback, no
 * keyboard, a global timeout that fails the run, statistics, rtt and error traces in files named
 * after the run. Tracks every process it starts, so `stopAll()` leaves nothing behind.
 */
export class Sipp {
  private readonly bin = requireCommand('sipp', 'sip-tester');
  private readonly running = new Set<ChildProcess>();

  constructor(private readonly workDir: string) {}

  /** Writes an injection file (`-inf`): `SEQUENTIAL`, then one `;`-joined line per row. */
  async injectionFile(name: string, rows: readonly (readonly string[])[]): Promise<string> {
    const file = path.join(this.workDir, name);
    await writeFile(file, ['SEQUENTIAL', ...rows.map((row) => row.join(';')), ''].join('\n'));
    return file;
  }

  /** Runs to the end (its -m calls, or the timeout). */
  async run(init: SippInit): Promise<SippResult> {
    const { child, finish } = await this.spawn(init);
    const status = await new Promise<number | string>((resolve) =>
      child.once('close', (code, signal) => resolve(code ?? signal ?? 'unknown')),
    );
    return finish(status);
  }

  /** Starts a long-running sipp (a UAS); it must bind before the caller goes on, so wait briefly. */
  async start(init: SippInit): Promise<RunningSipp> {
    const { child, finish, statFile, port } = await this.spawn(init);
    const closed = new Promise<number | string>((resolve) =>
      child.once('close', (code, signal) => resolve(code ?? signal ?? 'unknown')),
    );
    // sipp writes the stat file's header once its sockets are open.
    const deadline = Date.now() + 10_000;
    while (!existsSync(statFile)) {
      if (child.exitCode !== null || Date.now() > deadline) {
        const result = await finish(await Promise.race([closed, Promise.resolve('no stat file')]));
        throw new Error(`sipp ${init.name} did not start (${result.status})\n${result.stdoutTail}`);
      }
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
    return {
      child,
      port,
      stats: () => readStats(statFile),
      stop: async () => {
        await stopProcess(child, undefined, 3000);
        return finish(await closed);
      },
    };
  }

  async stopAll(): Promise<void> {
    await Promise.all([...this.running].map((child) => stopProcess(child, undefined, 2000)));
  }

  private async spawn(init: SippInit) {
    const file = (suffix: string): string => path.join(this.workDir, `${init.name}-${suffix}`);
    const statFile = file('stat.csv');
    const port = init.localPort ?? (await unusedUdpPort());
    const args = [
      ...(init.remote ? [init.remote] : []),
      ...init.args,
      ...['-i', '127.0.0.1', '-p', String(port), '-nostdin'],
      ...['-timeout', `${init.timeoutS}s`, '-timeout_error'],
      ...['-trace_stat', '-stf', statFile, '-fd', '1'],
      ...['-trace_err', '-error_file', file('errors.log')],
      ...['-trace_msg', '-message_file', file('messages.log')],
      ...['-trace_rtt', '-rtt_freq', '1'],
    ];
    const child = spawn(this.bin, args, { cwd: this.workDir, stdio: ['ignore', 'pipe', 'pipe'] });
    this.running.add(child);
    child.once('close', () => this.running.delete(child));
    // sipp redraws its screen on stdout; only the end is worth keeping.
    let stdout = '';
    const keep = (chunk: Buffer): void => {
      stdout = (stdout + chunk.toString('latin1')).slice(-8000);
    };
    child.stdout.on('data', keep);
    child.stderr.on('data', keep);
    const finish = async (status: number | string): Promise<SippResult> => {
      const stats = (await readStats(statFile)) ?? emptyStats();
      const rttFile = (await readdir(this.workDir)).find((f) => f.endsWith(`_${child.pid}_rtt.csv`));
      const rttMs = rttFile ? parseRtt(await readFile(path.join(this.workDir, rttFile), 'utf8')) : [];
      return {
        status,
        stats,
        rttMs,
        errors: await readIfThere(file('errors.log')),
        messagesTail: (await readIfThere(file('messages.log'))).slice(-6000),
        stdoutTail: stdout.slice(-3000),
      };
    };
    return { child, finish, statFile, port };
  }
}

/** Fails with everything one needs to see why a sipp run failed. */
export function assertSippSucceeded(result: SippResult, calls: number, what: string): void {
  const { stats } = result;
  if (result.status === 0 && stats.successful === calls && stats.failed === 0) return;
  throw new Error(
    [
      `${what}: sipp exit ${result.status}, ${stats.successful}/${calls} successful, ${stats.failed} failed, ` +
        `${stats.retransmissions} retransmissions`,
      '--- sipp error log (aborted calls first; answers to finished calls left out) ---',
      errorEntries(result.errors).slice(0, 12).join('\n') || '(empty)',
      '--- last SIP messages ---',
      result.messagesTail || '(none)',
      '--- sipp screen ---',
      result.stdoutTail,
    ].join('\n'),
  );
}

/**
 * The entries of a sipp error log, the ones that failed a call first. Each entry starts with a
 * tab-separated timestamp; "Dead call … received" entries are answers that came after their call
 * ended (retransmissions answered twice), noise next to the reason a call failed.
 */
export function errorEntries(log: string): string[] {
  const entries = log
    .split(/\n?(?=\d{4}-\d{2}-\d{2}\t)/)
    .map((entry) => entry.trim())
    .filter((entry) => /^\d{4}-/.test(entry));
  const dead = (entry: string): boolean => /: Dead call /.test(entry);
  const deadCount = entries.filter(dead).length;
  return [
    ...entries.filter((entry) => !dead(entry)),
    ...(deadCount > 0 ? [`(${deadCount} "Dead call … received" entries: answers after the call ended)`] : []),
  ];
}

/** `min/p50/p95/max ms` of the measured response times, for the log. */
export function rttSummary(rttMs: readonly number[]): string {
  if (rttMs.length === 0) return 'no response times';
  const p = (n: number): number => percentile(rttMs, n);
  return `min/p50/p95/max ${Math.min(...rttMs)}/${p(50)}/${p(95)}/${Math.max(...rttMs)} ms`;
}

/** p-th percentile (0–100) of a list of numbers; NaN when empty. */
export function percentile(values: readonly number[], p: number): number {
  if (values.length === 0) return Number.NaN;
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)] ?? Number.NaN;
}

async function readStats(statFile: string): Promise<SippStats | undefined> {
  const text = await readIfThere(statFile);
  const lines = text.split('\n').filter((line) => line.trim().length > 0);
  if (lines.length < 2) return undefined;
  const header = (lines[0] ?? '').split(';');
  const row = (lines[lines.length - 1] ?? '').split(';');
  const column = (name: string): string => row[header.indexOf(name)] ?? '';
  const count = (name: string): number => Number(column(name)) || 0;
  return {
    created: count('TotalCallCreated'),
    successful: count('SuccessfulCall(C)'),
    failed: count('FailedCall(C)'),
    incoming: count('IncomingCall(C)'),
    retransmissions: count('Retransmissions(C)'),
    elapsedS: durationMs(column('ElapsedTime(C)')) / 1000,
    responseTimeMs: durationMs(column('ResponseTime1(C)')),
  };
}

/** sipp writes durations as `HH:MM:SS` or `HH:MM:SS:micro`. */
function durationMs(text: string): number {
  const [h = 0, m = 0, s = 0, us = 0] = text.split(':').map(Number);
  return ((h * 60 + m) * 60 + s) * 1000 + us / 1000;
}

/** `Date_ms;response_time_ms;rtd_no` rows → response times. */
function parseRtt(text: string): number[] {
  return text
    .split('\n')
    .slice(1)
    .map((line) => Number(line.split(';')[1]))
    .filter((ms) => Number.isFinite(ms));
}

function emptyStats(): SippStats {
  return {
    created: 0,
    successful: 0,
    failed: 0,
    incoming: 0,
    retransmissions: 0,
    elapsedS: 0,
    responseTimeMs: 0,
  };
}

async function readIfThere(file: string): Promise<string> {
  return readFile(file, 'latin1').catch(() => '');
}
