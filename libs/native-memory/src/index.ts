export { type ReleaseOutcome, releaseFreeMemory } from './release-free-memory';
