import { releaseFreeMemory } from './release-free-memory';

/** glibc's version when this Node runs on glibc (Node's own diagnostic report says so). */
function glibcVersion(): string | undefined {
  const report = process.report?.getReport() as { header?: { glibcVersionRuntime?: string } } | undefined;
  return report?.header?.glibcVersionRuntime;
}

describe('releaseFreeMemory', () => {
  const onGlibc = glibcVersion() !== undefined;

  (onGlibc ? it : it.skip)('calls malloc_trim through the addon npm install built (glibc)', () => {
    // Freed chunks in the middle of the heap: the part glibc does not return by itself.
    const held: Buffer[] = [];
    for (let i = 0; i < 256; i++) held.push(Buffer.allocUnsafeSlow(16 * 1024));
    held.splice(0, held.length, ...held.filter((_, i) => i % 2 === 0));
    expect(['released', 'nothing-to-release']).toContain(releaseFreeMemory());
    expect(held).toHaveLength(128);
  });

  (onGlibc ? it.skip : it)('reports that it cannot release memory without glibc', () => {
    expect(releaseFreeMemory()).toBe('unavailable');
  });
});
