import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';

export interface TempDir {
  readonly path: string;
  /** Removes the directory and everything in it; safe to call twice. */
  remove(): Promise<void>;
}

/** A fresh directory under the system temp dir, named after what it is for. */
export async function createTempDir(purpose = 'test'): Promise<TempDir> {
  const dir = await mkdtemp(path.join(tmpdir(), `p2psip-${purpose}-`));
  return { path: dir, remove: () => rm(dir, { recursive: true, force: true }) };
}
