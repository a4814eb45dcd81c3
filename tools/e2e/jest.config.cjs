// End-to-end tests run real processes (bins, the launcher, ESLint); they get a generous timeout
// because a loaded 2-core CI machine is slow, not because they wait on fixed sleeps.
module.exports = { displayName: 'e2e', preset: '../../jest.preset.cjs', testTimeout: 120_000 };
