import type { Cancel, Clock } from '../components';

/** Lets a whole node's timers be switched off at once (a killed node). */
export interface TimerOwner {
  alive: boolean;
}

class TimerEntry implements Cancel {
  cancelled = false;

  constructor(
    readonly time: number,
    readonly seq: number,
    readonly fn: () => void,
    readonly owner: TimerOwner | undefined,
  ) {}

  cancel(): void {
    this.cancelled = true;
  }
}

/**
 * Virtual time: an event queue (binary heap by time, then scheduling order) that runs as fast as
 * the CPU allows. Equal times run in scheduling order, so a run is deterministic. Timer entries
 * are their own cancel handles: no closure per timer.
 */
export class VirtualClock implements Clock {
  private readonly heap: TimerEntry[] = [];
  private seq = 0;
  private time: number;
  /** Events run so far. */
  executed = 0;

  constructor(startMs = 0) {
    this.time = startMs;
  }

  now(): number {
    return this.time;
  }

  schedule(delayMs: number, fn: () => void, owner?: TimerOwner): Cancel {
    const entry = new TimerEntry(this.time + Math.max(0, delayMs), this.seq++, fn, owner);
    this.push(entry);
    return entry;
  }

  /** A clock for one node: its timers die with it. */
  forOwner(owner: TimerOwner): Clock {
    return { now: () => this.time, schedule: (d, fn) => this.schedule(d, fn, owner) };
  }

  get pending(): number {
    return this.heap.length;
  }

  /** Time of the next event, or undefined if none. */
  peekTime(): number | undefined {
    return this.heap[0]?.time;
  }

  /** Runs the next event if it is due by `untilMs`; false when there is none. */
  runNext(untilMs: number): boolean {
    const top = this.heap[0];
    if (!top || top.time > untilMs) return false;
    this.pop();
    this.time = top.time;
    if (!top.cancelled && (top.owner?.alive ?? true)) {
      this.executed++;
      top.fn();
    }
    return true;
  }

  /** Moves time forward to `ms` (after the events due by then have run). */
  advanceTo(ms: number): void {
    if (ms > this.time) this.time = ms;
  }

  private push(e: TimerEntry): void {
    const h = this.heap;
    h.push(e);
    let i = h.length - 1;
    while (i > 0) {
      const p = (i - 1) >> 1;
      if (!before(h[i], h[p])) break;
      [h[i], h[p]] = [h[p], h[i]];
      i = p;
    }
  }

  private pop(): void {
    const h = this.heap;
    const last = h.pop() as TimerEntry;
    if (h.length === 0) return;
    h[0] = last;
    let i = 0;
    for (;;) {
      const l = 2 * i + 1;
      const r = l + 1;
      let m = i;
      if (l < h.length && before(h[l], h[m])) m = l;
      if (r < h.length && before(h[r], h[m])) m = r;
      if (m === i) return;
      [h[i], h[m]] = [h[m], h[i]];
      i = m;
    }
  }
}

function before(a: TimerEntry, b: TimerEntry): boolean {
  return a.time < b.time || (a.time === b.time && a.seq < b.seq);
}
