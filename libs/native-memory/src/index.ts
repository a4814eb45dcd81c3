export { type ReleaseOutcome, nativeMemoryProblem, releaseFreeMemory } from './release-free-memory';
