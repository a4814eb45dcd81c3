// Test support — the seed messages and the deterministic fuzz corpus — kept out of the production
// entry point (`index.ts`), as `@p2psip/overlay/testing` does, so that apps never bundle it.
export { SEED_SIP_MESSAGES, mutatedSipMessages, seedSipMessages } from './testing/fuzz-corpus';
