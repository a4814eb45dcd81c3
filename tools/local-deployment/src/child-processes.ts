import type { ChildProcess } from 'node:child_process';

/** Registers a child process of the deployment under a name, right after it is spawned. */
export type TrackChild = (name: string, child: ChildProcess) => void;

export interface ChildProcessesInit {
  /** A tracked child ended while nothing was being stopped (before or after it was ready). */
  readonly onUnexpectedExit: (name: string, how: string) => void;
  /** How long a child gets between SIGTERM and SIGKILL, ms. @default 5000 */
  readonly graceMs?: number;
}

/**
 * Every child process of the deployment from the moment it is spawned — not from when it says it
 * is ready — so that one which dies or hangs while starting is noticed, and stopped on Ctrl-C.
 */
export class ChildProcesses {
  private readonly children: { readonly name: string; readonly child: ChildProcess }[] = [];
  private stopping = false;

  constructor(private readonly init: ChildProcessesInit) {
    this.track = this.track.bind(this);
  }

  track(name: string, child: ChildProcess): void {
    this.children.push({ name, child });
    child.once('exit', (code, signal) => {
      if (!this.stopping) this.init.onUnexpectedExit(name, String(code ?? signal));
    });
    // Spawn failures (ENOENT) come as 'error' without 'exit'; whoever spawned reports them.
    child.once('error', () => undefined);
  }

  list(): readonly { name: string; pid: number }[] {
    return this.children.map(({ name, child }) => ({ name, pid: child.pid ?? -1 }));
  }

  /** Stops every child, the last started first: SIGTERM, then SIGKILL after the grace period. */
  async stopAll(): Promise<void> {
    this.stopping = true;
    for (const { child } of [...this.children].reverse()) await this.stop(child);
  }

  private stop(child: ChildProcess): Promise<void> {
    if (child.pid === undefined || child.exitCode !== null || child.signalCode !== null) {
      return Promise.resolve();
    }
    return new Promise((resolve) => {
      const timer = setTimeout(() => child.kill('SIGKILL'), this.init.graceMs ?? 5000);
      child.once('exit', () => {
        clearTimeout(timer);
        resolve();
      });
      child.kill('SIGTERM');
    });
  }
}
