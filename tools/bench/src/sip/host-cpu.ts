import { readFileSync } from 'node:fs';

/** Jiffies of all CPUs together, from the first line of /proc/stat. */
interface CpuTicks {
  readonly total: number;
  readonly idle: number;
  readonly steal: number;
}

/** How the machine's CPUs spent a step, in % of all their time (steal: taken by the VM's host). */
export interface HostCpu {
  readonly busyPercent: number;
  readonly stealPercent: number;
}

/**
 * Reads /proc/stat's aggregate line: user nice system idle iowait irq softirq steal …
 * Undefined where there is none (not Linux).
 */
function readTicks(): CpuTicks | undefined {
  let line: string | undefined;
  try {
    line = readFileSync('/proc/stat', 'utf8').split('\n', 1)[0];
  } catch {
    return undefined;
  }
  const fields = (line ?? '').trim().split(/\s+/).slice(1, 9).map(Number);
  if (fields.length < 8 || fields.some((n) => !Number.isFinite(n))) return undefined;
  const [user, nice, system, idle, iowait, irq, softirq, steal] = fields as [
    number,
    number,
    number,
    number,
    number,
    number,
    number,
    number,
  ];
  return { total: user + nice + system + idle + iowait + irq + softirq + steal, idle: idle + iowait, steal };
}

/**
 * Starts measuring; the returned function gives the share of CPU time that was busy (ours and
 * anyone's) and that the hypervisor stole, since the start. A noisy VM host shows as steal: a step
 * that ran slow with steal high says little about our code.
 */
export function measureHostCpu(): () => HostCpu | undefined {
  const before = readTicks();
  return () => {
    const after = readTicks();
    if (!before || !after || after.total <= before.total) return undefined;
    const total = after.total - before.total;
    const idle = after.idle - before.idle;
    const steal = after.steal - before.steal;
    return {
      busyPercent: Math.round((100 * (total - idle - steal)) / total),
      stealPercent: Math.round((100 * steal) / total),
    };
  };
}
