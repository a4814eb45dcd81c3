import type { Cancel, Clock } from '@p2psip/overlay';

/** Wall time and Node's timers, for the overlay core in peers and clients (the simulator passes its own). */
export const systemClock: Clock = {
  now: () => Date.now(),
  schedule(delayMs: number, fn: () => void): Cancel {
    const timer = setTimeout(fn, Math.max(0, delayMs));
    // Overlay maintenance must not keep a stopping process alive.
    timer.unref();
    return { cancel: () => clearTimeout(timer) };
  },
};
