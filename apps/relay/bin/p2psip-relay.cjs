#!/usr/bin/env node
'use strict';
// Runs the bundled app (built by `npm install` / `npm run build` into ../dist).
const path = require('node:path');
const entry = path.join(__dirname, '..', 'dist', 'main.cjs');
try {
  require.resolve(entry);
} catch {
  process.stderr.write('p2psip-relay is not built yet: run `npm run build` at the repository root\n');
  process.exit(1);
}
require(entry);
