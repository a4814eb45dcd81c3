import { nativeMemoryProblem, releaseFreeMemory } from './release-free-memory';

/** glibc's version when this Node runs on glibc (Node's own diagnostic report says so). */
function glibcVersion(): string | undefined {
  const report = process.report?.getReport() as { header?: { glibcVersionRuntime?: string } } | undefined;
  return report?.header?.glibcVersionRuntime;
}

describe('releaseFreeMemory', () => {
  const onGlibc = glibcVersion() !== undefined;

  (onGlibc ? it : it.skip)('calls malloc_trim through the addon npm install built (glibc)', () => {
    // The addon missing on glibc is what this test is for: say which file and how to build it.
    expect(nativeMemoryProblem()).toBeUndefined();
    expect(['released', 'nothing-to-release']).toContain(releaseFreeMemory());
  });

  (onGlibc ? it.skip : it)('reports that it cannot release memory without glibc', () => {
    expect(releaseFreeMemory()).toBe('unavailable');
  });
});
