// Bundles every app (and the local-deployment launcher) into one CommonJS file each with esbuild:
// our libs are compiled in (they are TypeScript, resolved through tsconfig paths), npm packages
// stay external and load from node_modules. Runs on `npm install` (prepare), `npm start`, `npm test`.
import { build } from 'esbuild';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..');
const manifest = JSON.parse(readFileSync(path.join(root, 'package.json'), 'utf8'));
const npmPackages = Object.keys(manifest.dependencies ?? {});

// [source, bundle]
const entries = [
  ...[
    'apps/enrollment',
    'apps/bootstrap',
    'apps/peer',
    'apps/relay',
    'apps/client',
    'tools/local-deployment',
  ].map((dir) => [path.join(dir, 'src', 'main.ts'), path.join(dir, 'dist', 'main.cjs')]),
  ['apps/enrollment/src/signing/signing-worker.ts', 'apps/enrollment/dist/signing-worker.cjs'],
  ['tools/bench/src/enrollment.ts', 'tools/bench/dist/enrollment.cjs'],
  ['tools/bench/src/ring.ts', 'tools/bench/dist/ring.cjs'],
  ['tools/bench/src/storage.ts', 'tools/bench/dist/storage.cjs'],
  ['tools/bench/src/storage-memory.ts', 'tools/bench/dist/storage-memory.cjs'],
  ['tools/bench/src/sip/main.ts', 'tools/bench/dist/sip.cjs'],
  ['tools/sim/src/main.ts', 'tools/sim/dist/main.cjs'],
];

const started = Date.now();
await Promise.all(
  entries.map(([source, bundle]) =>
    build({
      absWorkingDir: root,
      entryPoints: [source],
      outfile: bundle,
      bundle: true,
      platform: 'node',
      target: 'node20',
      format: 'cjs',
      sourcemap: true,
      tsconfig: path.join(root, 'tsconfig.base.json'),
      // The proto lib finds its .proto files, and native-memory its addon, through their package
      // links at run time.
      external: [
        ...npmPackages.flatMap((name) => [name, `${name}/*`]),
        '@p2psip/proto/package.json',
        '@p2psip/native-memory/package.json',
      ],
      logLevel: 'warning',
    }),
  ),
);
console.log(`built ${entries.length} bundles in ${Date.now() - started} ms`);
