// Test and simulation support — in-memory network, virtual clock, seeded random, testnet — kept
// out of the production entry point (`index.ts`) so that the peer app never bundles it.
export * from './testing/index';
