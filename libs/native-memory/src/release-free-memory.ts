import { createRequire } from 'node:module';
import path from 'node:path';

/** What one release did: pages given back, none to give, or no native support here. */
export type ReleaseOutcome = 'released' | 'nothing-to-release' | 'unavailable';

interface NativeMemory {
  /** 1: pages released, 0: none, -1: not glibc. */
  trim(): number;
}

let native: NativeMemory | null | undefined;

/**
 * The addon built by `npm install` (node-gyp) in this package's directory. Found through the
 * package, not this file: the apps are bundles, and the addon stays in the workspace.
 */
function loadNative(): NativeMemory | null {
  if (native !== undefined) return native;
  try {
    const root = path.dirname(require.resolve('@p2psip/native-memory/package.json'));
    const load = createRequire(__filename);
    native = load(path.join(root, 'build', 'Release', 'native_memory.node')) as NativeMemory;
  } catch {
    native = null;
  }
  return native;
}

/**
 * Gives the free pages inside the malloc heap back to the kernel (glibc `malloc_trim`). A process
 * whose allocation peaks are behind it (start-up, a burst of links) otherwise keeps them resident.
 * Takes a few milliseconds on a heap of tens of MB; call it after bursts and now and then.
 */
export function releaseFreeMemory(): ReleaseOutcome {
  const result = loadNative()?.trim();
  if (result === 1) return 'released';
  if (result === 0) return 'nothing-to-release';
  return 'unavailable';
}
