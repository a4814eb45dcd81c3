export interface FailedAttemptsInit {
  /** Failures allowed within the window before the user name is locked. @default 5 */
  readonly maxFailures?: number;
  /** @default 60 s */
  readonly windowMs?: number;
  /** How long a locked user name stays locked. @default 60 s */
  readonly lockoutMs?: number;
  readonly now?: () => number;
  /** User names tracked at most; the oldest are forgotten first. @default 100 000 */
  readonly maxTracked?: number;
}

/**
 * Rate-limits password guessing per user name: after too many failures in a window, further
 * attempts are refused without running the KDF (which also protects the CPU from a flood).
 */
export class FailedAttempts {
  private readonly records = new Map<string, { failures: number[]; lockedUntilMs: number }>();
  private readonly maxFailures: number;
  private readonly windowMs: number;
  private readonly lockoutMs: number;
  private readonly maxTracked: number;
  private readonly now: () => number;

  constructor(init: FailedAttemptsInit = {}) {
    this.maxFailures = init.maxFailures ?? 5;
    this.windowMs = init.windowMs ?? 60_000;
    this.lockoutMs = init.lockoutMs ?? 60_000;
    this.maxTracked = init.maxTracked ?? 100_000;
    this.now = init.now ?? Date.now;
  }

  isLocked(userName: string): boolean {
    const record = this.records.get(userName);
    return record !== undefined && record.lockedUntilMs > this.now();
  }

  recordFailure(userName: string): void {
    const now = this.now();
    const record = this.records.get(userName) ?? { failures: [], lockedUntilMs: 0 };
    record.failures = [...record.failures.filter((at) => at > now - this.windowMs), now];
    if (record.failures.length >= this.maxFailures) {
      record.lockedUntilMs = now + this.lockoutMs;
      record.failures = [];
    }
    this.records.delete(userName);
    this.records.set(userName, record);
    while (this.records.size > this.maxTracked)
      this.records.delete(this.records.keys().next().value as string);
  }

  recordSuccess(userName: string): void {
    this.records.delete(userName);
  }
}
