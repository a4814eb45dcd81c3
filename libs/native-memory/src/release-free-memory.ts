import { createRequire } from 'node:module';
import path from 'node:path';

/** What one release did: pages given back, none to give, or no native support here. */
export type ReleaseOutcome = 'released' | 'nothing-to-release' | 'unavailable';

interface NativeMemory {
  /** 1: pages released, 0: none, -1: not glibc. */
  trim(): number;
}

let native: NativeMemory | null | undefined;
let loadProblem: string | undefined;

/**
 * The addon built by `npm install` (node-gyp) in this package's directory. Found through the
 * package, not this file: the apps are bundles, and the addon stays in the workspace.
 */
function loadNative(): NativeMemory | null {
  if (native !== undefined) return native;
  // eslint-disable-next-line @nx/enforce-module-boundaries -- a file lookup through the package link, not a code import
  const root = path.dirname(require.resolve('@p2psip/native-memory/package.json'));
  const file = path.join(root, 'build', 'Release', 'native_memory.node');
  try {
    native = createRequire(__filename)(file) as NativeMemory;
  } catch (error) {
    native = null;
    const notBuilt = (error as { code?: string }).code === 'MODULE_NOT_FOUND';
    // Not built, or built but unloadable (another architecture, a damaged file): both say why.
    loadProblem = notBuilt
      ? `${file} is not built (npm install builds it with node-gyp; retry with \`npm rebuild -w @p2psip/native-memory\`)`
      : `${file} does not load: ${error instanceof Error ? error.message : String(error)}`;
  }
  return native;
}

/**
 * Gives the free pages inside the malloc heap back to the kernel (glibc `malloc_trim`). A process
 * whose allocation peaks are behind it (start-up, a burst of links) otherwise keeps them resident.
 * Takes about 1 ms on a 40 MB heap; call it after bursts and now and then.
 */
export function releaseFreeMemory(): ReleaseOutcome {
  const result = loadNative()?.trim();
  if (result === 1) return 'released';
  if (result === 0) return 'nothing-to-release';
  return 'unavailable';
}

/** Why releaseFreeMemory answers 'unavailable' on this machine, if the addon is the reason. */
export function nativeMemoryProblem(): string | undefined {
  loadNative();
  return loadProblem;
}
