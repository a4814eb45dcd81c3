import { existsSync } from 'node:fs';
import path from 'node:path';

/** The repository root: the nearest ancestor holding nx.json. */
export function repoRoot(from = __dirname): string {
  let dir = from;
  while (!existsSync(path.join(dir, 'nx.json'))) {
    const parent = path.dirname(dir);
    if (parent === dir) throw new Error(`no nx.json above ${from}`);
    dir = parent;
  }
  return dir;
}

/** The path of an app's installed bin (node_modules/.bin/<name>), as `npx <name>` runs it. */
export function binPath(name: string): string {
  return path.join(repoRoot(), 'node_modules', '.bin', name);
}
