import { nativeMemoryProblem, releaseFreeMemory } from '@p2psip/native-memory';
import type { Logger } from '@p2psip/telemetry';

/**
 * How often a peer process gives free malloc pages back. Joining fifty virtual peers, and later
 * the joins of other processes, leave ~0.3 MB per virtual peer free but resident (glibc returns
 * only the top of its heap). A release takes about 1 ms on a 40 MB heap (libs/native-memory),
 * so a short interval costs nothing and keeps the bursts of traffic from lingering.
 */
export const MEMORY_RELEASE_INTERVAL_MS = 10_000;

/** Releases at once (the peers have joined) and then every interval; returns the stop function. */
export function startMemoryRelease(logger: Logger, intervalMs = MEMORY_RELEASE_INTERVAL_MS): () => void {
  const release = (): void => {
    const started = performance.now();
    const outcome = releaseFreeMemory();
    if (outcome === 'unavailable') {
      clearInterval(timer);
      const problem = nativeMemoryProblem();
      // Not glibc: nothing to do. glibc without the addon: the operator can build it.
      if (problem) logger.warn({ problem }, 'free malloc pages stay resident');
      return;
    }
    logger.debug({ outcome, ms: Math.round(performance.now() - started) }, 'free malloc pages released');
  };
  const timer = setInterval(release, intervalMs);
  timer.unref();
  release();
  return () => clearInterval(timer);
}
