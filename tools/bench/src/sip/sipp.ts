import { type ChildProcess, spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdir, readFile, readdir, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { requireCommand } from '@p2psip/testing';
import { percentile } from '../latency';
import type { ProcessGroup } from './processes';

/** One sipp run's figures: its final cumulative statistics (`-trace_stat`) and every `-trace_rtt` sample. */
export interface SippOutcome {
  readonly name: string;
  readonly status: number | string;
  readonly created: number;
  readonly successful: number;
  readonly failed: number;
  readonly retransmissions: number;
  /** Wall time from spawn to exit: the last call's end, not just the sending. */
  readonly wallS: number;
  readonly perSecond: number;
  readonly p50Ms: number;
  readonly p95Ms: number;
  readonly maxMs: number;
  /** The failure columns of the statistics that are not zero (FailedMaxUDPRetrans …). */
  readonly failureKinds: Readonly<Record<string, number>>;
  /** The start of sipp's error log (unexpected messages, timeouts); empty when clean. */
  readonly errors: string;
  /**
   * Messages the scenario did not expect, by first line (`SIP/2.0 100 Trying`), and whether sipp
   * aborted the call for them or went on (`-default_behaviors all,-abortunexp`).
   */
  readonly unexpected: Readonly<Record<string, { aborted: number; continued: number }>>;
  /** The run's files (error log, statistics, rtt). */
  readonly dir: string;
}

export interface SippRunInit {
  /** Names the run's directory. */
  readonly name: string;
  /** `host:port` of the element under test; omitted for a UAS. */
  readonly remote?: string;
  /** Scenario (`-sf …` / `-sn …`) and the run's own options (-m, -r, -inf …). */
  readonly args: readonly string[];
  /** sipp ends (and fails the run) after this long: nothing can hang the benchmark. */
  readonly timeoutS: number;
  /** Its UDP port on 127.0.0.1. */
  readonly localPort: number;
}

export interface RunningUas {
  readonly port: number;
  /** Calls the UAS took so far. */
  incoming(): Promise<number>;
  stop(): Promise<SippOutcome>;
}

/**
 * sipp (Debian `sip-tester`) as the benchmark drives it: on loopback, without keyboard, with a
 * global timeout, cumulative statistics every second, every response time, and the error log in
 * one directory per run. Message tracing stays off: it costs sipp more than the element under test.
 */
export class SippDriver {
  readonly bin = requireCommand('sipp', 'sip-tester');

  constructor(
    private readonly workDir: string,
    private readonly processes: ProcessGroup,
  ) {}

  /** An injection file (`-inf`): `SEQUENTIAL`, then one `;`-joined line per row. */
  async injectionFile(name: string, rows: readonly (readonly string[])[]): Promise<string> {
    const file = path.join(this.workDir, name);
    await writeFile(file, ['SEQUENTIAL', ...rows.map((row) => row.join(';')), ''].join('\n'));
    return file;
  }

  /** Runs to its -m calls (or its timeout). */
  async run(init: SippRunInit): Promise<SippOutcome> {
    const { child, dir, started } = await this.spawn(init);
    const status = await exitOf(child);
    return outcome(init.name, dir, status, (performance.now() - started) / 1000);
  }

  /** A UAS that answers until stopped; resolves once its socket is open. */
  async startUas(init: SippRunInit): Promise<RunningUas> {
    const { child, dir, started } = await this.spawn(init);
    const exited = exitOf(child);
    const statFile = path.join(dir, 'stat.csv');
    const deadline = Date.now() + 10_000;
    // sipp writes the statistics header once its sockets are open.
    while (!existsSync(statFile)) {
      if (child.exitCode !== null || Date.now() > deadline) {
        const failed = await outcome(init.name, dir, child.exitCode ?? 'no statistics', 0);
        throw new Error(`sipp ${init.name} did not start (${failed.status}): ${failed.errors}`);
      }
      await sleep(50);
    }
    return {
      port: init.localPort,
      incoming: async () => (await readStats(statFile))?.['IncomingCall(C)'] ?? 0,
      stop: async () => {
        await this.processes.stop(child, 3000);
        return outcome(init.name, dir, await exited, (performance.now() - started) / 1000);
      },
    };
  }

  private async spawn(init: SippRunInit) {
    const dir = path.join(this.workDir, 'sipp', init.name);
    await mkdir(dir, { recursive: true });
    const args = [
      ...(init.remote ? [init.remote] : []),
      ...init.args,
      ...['-i', '127.0.0.1', '-p', String(init.localPort), '-nostdin'],
      ...['-timeout', `${init.timeoutS}s`, '-timeout_error'],
      ...['-trace_stat', '-stf', path.join(dir, 'stat.csv'), '-fd', '1'],
      ...['-trace_err', '-error_file', path.join(dir, 'errors.log')],
      ...['-trace_rtt', '-rtt_freq', '1'],
    ];
    const started = performance.now();
    // sipp redraws its screen on stdout: nobody reads it.
    const child = spawn(this.bin, args, { cwd: dir, stdio: ['ignore', 'ignore', 'ignore'] });
    this.processes.add(child, `sipp ${init.name}`);
    return { child, dir, started };
  }
}

function exitOf(child: ChildProcess): Promise<number | string> {
  return new Promise((resolve) => {
    if (child.exitCode !== null || child.signalCode !== null)
      return resolve(child.exitCode ?? child.signalCode ?? 'unknown');
    child.once('exit', (code, signal) => resolve(code ?? signal ?? 'unknown'));
  });
}

async function outcome(
  name: string,
  dir: string,
  status: number | string,
  wallS: number,
): Promise<SippOutcome> {
  const stats = (await readStats(path.join(dir, 'stat.csv'))) ?? {};
  const rttFile = (await readdir(dir)).find((file) => file.endsWith('_rtt.csv'));
  const rtts = rttFile ? parseRtt(await readFile(path.join(dir, rttFile), 'utf8')) : [];
  rtts.sort((a, b) => a - b);
  const successful = stats['SuccessfulCall(C)'] ?? 0;
  const failureKinds = Object.fromEntries(
    Object.entries(stats).filter(([column, n]) => /^Failed.+\(C\)$/.test(column) && n > 0),
  );
  const errors = await readFile(path.join(dir, 'errors.log'), 'latin1').catch(() => '');
  return {
    name,
    status,
    created: stats['TotalCallCreated'] ?? 0,
    successful,
    failed: stats['FailedCall(C)'] ?? 0,
    retransmissions: stats['Retransmissions(C)'] ?? 0,
    wallS,
    perSecond: wallS > 0 ? successful / wallS : 0,
    p50Ms: percentile(rtts, 50),
    p95Ms: percentile(rtts, 95),
    maxMs: rtts.at(-1) ?? Number.NaN,
    failureKinds,
    errors: errors.slice(0, 4000),
    unexpected: unexpectedMessages(errors),
    dir,
  };
}

/** Counts the error log's `Aborting|Continuing call on unexpected message … received '<first line>`. */
function unexpectedMessages(log: string): Record<string, { aborted: number; continued: number }> {
  const counts: Record<string, { aborted: number; continued: number }> = {};
  const pattern = /(Aborting|Continuing) call on unexpected message[^\n]*?received '([^\r\n]*)/g;
  for (const match of log.matchAll(pattern)) {
    const line = (match[2] ?? '').trim();
    const entry = (counts[line] ??= { aborted: 0, continued: 0 });
    if (match[1] === 'Aborting') entry.aborted++;
    else entry.continued++;
  }
  return counts;
}

/** The last row of a `-trace_stat` file, numeric columns only. */
async function readStats(file: string): Promise<Record<string, number> | undefined> {
  const text = await readFile(file, 'latin1').catch(() => '');
  const lines = text.split('\n').filter((line) => line.trim().length > 0);
  if (lines.length < 2) return undefined;
  const header = (lines[0] ?? '').split(';');
  const row = (lines.at(-1) ?? '').split(';');
  const stats: Record<string, number> = {};
  header.forEach((column, i) => {
    const value = Number(row[i]);
    if (column && Number.isFinite(value)) stats[column] = value;
  });
  return stats;
}

/** `Date_ms;response_time_ms;rtd_no` rows → response times (ms). */
function parseRtt(text: string): number[] {
  return text
    .split('\n')
    .slice(1)
    .map((line) => Number(line.split(';')[1]))
    .filter((ms) => Number.isFinite(ms));
}
