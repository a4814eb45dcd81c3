import { type ChildProcess, spawn } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { ChildProcesses } from './child-processes';
import { startService } from './service-process';

/** A node child running `script`. */
function node(script: string): ChildProcess {
  return spawn(process.execPath, ['-e', script], { stdio: 'ignore' });
}

function exited(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return Promise.resolve();
  return new Promise((resolve) => child.once('exit', () => resolve()));
}

const HANG = 'setInterval(() => {}, 1000)';

describe('local deployment — child processes', () => {
  let logDir: string;

  beforeEach(async () => {
    logDir = await mkdtemp(path.join(tmpdir(), 'local-deployment-'));
  });

  afterEach(async () => {
    await rm(logDir, { recursive: true, force: true });
  });

  it('reports a child that exits while nothing is being stopped', async () => {
    const exits: string[] = [];
    const children = new ChildProcesses({ onUnexpectedExit: (name, how) => exits.push(`${name}:${how}`) });
    const child = node('process.exit(3)');
    children.track('peer-1', child);
    await exited(child);
    expect(exits).toEqual(['peer-1:3']);
  });

  it('stops every child, SIGKILL for one that ignores SIGTERM, and reports none of those exits', async () => {
    const exits: string[] = [];
    const children = new ChildProcesses({ onUnexpectedExit: (name) => exits.push(name), graceMs: 300 });
    const polite = node(HANG);
    const stubborn = node(`process.on('SIGTERM', () => {}); ${HANG}`);
    children.track('polite', polite);
    children.track('stubborn', stubborn);
    // Give the stubborn child time to install its SIGTERM handler.
    await new Promise((resolve) => setTimeout(resolve, 300));
    await children.stopAll();
    expect(polite.signalCode).toBe('SIGTERM');
    expect(stubborn.signalCode).toBe('SIGKILL');
    expect(exits).toEqual([]);
  });

  it('tracks a service from its spawn: one that hangs before it is ready is stopped with the rest (regression: tracked only once ready)', async () => {
    const children = new ChildProcesses({ onUnexpectedExit: () => undefined, graceMs: 300 });
    const starting = startService({
      name: 'peer-1',
      command: process.execPath,
      args: ['-e', HANG],
      logDir,
      readyWhen: (line) => line.includes('ready'),
      timeoutMs: 60_000,
      track: children.track,
    });
    // Tracked as soon as it runs, long before any ready line.
    while (children.list().length === 0) await new Promise((resolve) => setTimeout(resolve, 10));
    expect(children.list()).toEqual([{ name: 'peer-1', pid: expect.any(Number) as number }]);
    await children.stopAll();
    await expect(starting).rejects.toThrow(/peer-1 exited \(SIGTERM\) before it was ready/);
  });

  it('notices a service that dies before it is ready', async () => {
    const exits: string[] = [];
    const children = new ChildProcesses({ onUnexpectedExit: (name, how) => exits.push(`${name}:${how}`) });
    const starting = startService({
      name: 'bootstrap-1',
      command: process.execPath,
      args: ['-e', 'console.log("starting"); process.exit(2)'],
      logDir,
      readyWhen: (line) => line.includes('ready'),
      track: children.track,
    });
    await expect(starting).rejects.toThrow(/bootstrap-1 exited \(2\) before it was ready[\s\S]*starting/);
    expect(exits).toEqual(['bootstrap-1:2']);
  });
});
