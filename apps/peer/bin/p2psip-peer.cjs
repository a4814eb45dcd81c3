#!/usr/bin/env -S node --max-semi-space-size=4
'use strict';
// V8's young generation capped at 4 MB semi-spaces: a process hosting many virtual peers makes
// short-lived garbage at a steady rate, and the 16 MB default let the nursery grow to 32 MB —
// more than a dozen virtual peers weigh — and spill the caches of a small machine (README,
// "Hosting many virtual peers"). `node --max-semi-space-size=N <this file>` chooses otherwise.
// V8's --optimize-for-size is not set here: `run --heap` chooses it (lean from 16 virtual peers).
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
