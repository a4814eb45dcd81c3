#!/usr/bin/env -S node --max-semi-space-size=4 --optimize-for-size
'use strict';
// V8's young generation capped at 4 MB semi-spaces: a process hosting many virtual peers makes
// short-lived garbage at a steady rate, and the 16 MB default let the nursery grow to 32 MB —
// more than a dozen virtual peers weigh — and spill the caches of a small machine (README,
// "Hosting many virtual peers"). `node --max-semi-space-size=N <this file>` chooses otherwise.
// --optimize-for-size: V8 grows the heap in smaller steps; the JS a virtual peer keeps alive is
// ~100 KB, yet a 50-peer process committed ~20 MB more heap than a one-peer one. In bench:ring it
// took 0.26 MB off each virtual peer at no cost to the latency targets.
// Runs the bundled app (built by `npm install` / `npm run build` into ../dist).
const path = require('node:path');
const entry = path.join(__dirname, '..', 'dist', 'main.cjs');
try {
  require.resolve(entry);
} catch {
  process.stderr.write('p2psip-peer is not built yet: run `npm run build` at the repository root\n');
  process.exit(1);
}
require(entry);
