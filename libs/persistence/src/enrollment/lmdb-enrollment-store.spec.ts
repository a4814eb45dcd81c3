import { createTempDir, repoRoot, spawnApp } from '@p2psip/testing';
import { build } from 'esbuild';
import path from 'node:path';
import { describeEnrollmentStoreConformance } from './conformance';
import { LmdbEnrollmentStore } from './lmdb-enrollment-store';
import { openLmdbLayout } from './lmdb-layout';

describeEnrollmentStoreConformance(
  'lmdb',
  async () => {
    const dir = await createTempDir('lmdb-store');
    const storePath = path.join(dir.path, 'enrollment');
    return {
      store: await LmdbEnrollmentStore.open({ path: storePath }),
      path: storePath,
      cleanup: dir.remove,
    };
  },
  { reopen: (fixture) => LmdbEnrollmentStore.open({ path: fixture.path }) },
);

describe('persistence — lmdb flushing', () => {
  it('acknowledges writes after flushing them when asked to', async () => {
    const dir = await createTempDir('lmdb-flush');
    try {
      const storePath = path.join(dir.path, 'enrollment');
      const store = await LmdbEnrollmentStore.open({ path: storePath, flushBeforeAcknowledge: true });
      await store.putSetting('config', { sequence: 1 });
      await store.close();
      const reopened = await LmdbEnrollmentStore.open({ path: storePath });
      expect(await reopened.getSetting('config')).toEqual({ sequence: 1 });
      await reopened.close();
    } finally {
      await dir.remove();
    }
  });
});

describe('persistence — lmdb crash safety', () => {
  const ACKS_BEFORE_KILL = 300;

  it('keeps every acknowledged certificate and a consistent Node-ID index after kill -9', async () => {
    const dir = await createTempDir('lmdb-crash');
    try {
      const storePath = path.join(dir.path, 'enrollment');
      const writer = await spawnApp(process.execPath, {
        args: [await bundleCrashWriter(dir.path), storePath],
        // The bundle lives in the temp dir; lmdb (native, not bundled) comes from the repository.
        env: { NODE_PATH: path.join(repoRoot(), 'node_modules') },
      });
      await writer.waitForLine(() => acknowledgedSerials(writer.output).length >= ACKS_BEFORE_KILL);
      writer.child.kill('SIGKILL');
      expect(await writer.exited()).toBe('SIGKILL');

      const acknowledged = acknowledgedSerials(writer.output);
      expect(acknowledged.length).toBeGreaterThanOrEqual(ACKS_BEFORE_KILL);
      expect(await nodeIdIndexProblems(storePath)).toEqual([]);
      expect(await missingCertificates(storePath, acknowledged)).toEqual([]);
    } finally {
      await dir.remove();
    }
  }, 60_000);
});

/**
 * The child must run without TypeScript tooling, so the test bundles the fixture (and through it the
 * real store) into one CommonJS file, as tools/build does for the apps. That exercises the store's
 * own code, where a hand-written .cjs copy of the key layout could silently drift from it.
 */
async function bundleCrashWriter(outDir: string): Promise<string> {
  const outfile = path.join(outDir, 'crash-writer.cjs');
  await build({
    entryPoints: [path.join(__dirname, 'fixtures', 'crash-writer.ts')],
    outfile,
    bundle: true,
    platform: 'node',
    target: 'node20',
    format: 'cjs',
    external: ['lmdb'],
    tsconfig: path.join(repoRoot(), 'tsconfig.base.json'),
    logLevel: 'warning',
  });
  return outfile;
}

function acknowledgedSerials(output: readonly string[]): string[] {
  return output.filter((line) => line.startsWith('ack ')).map((line) => line.slice('ack '.length));
}

/** Every user's Node-IDs point back at the user in the index, and every index entry at a holder. */
async function nodeIdIndexProblems(storePath: string): Promise<string[]> {
  const layout = openLmdbLayout(storePath);
  try {
    const problems: string[] = [];
    for (const { key: userName, value: user } of layout.users.getRange()) {
      for (const nodeId of user.nodeIds) {
        const owner = layout.nodeIds.get(nodeId);
        if (owner !== userName) problems.push(`${userName} holds ${nodeId}, the index says ${owner}`);
      }
    }
    for (const { key: nodeId, value: owner } of layout.nodeIds.getRange()) {
      if (!layout.users.get(owner)?.nodeIds.includes(nodeId))
        problems.push(`index gives ${nodeId} to ${owner}`);
    }
    return problems;
  } finally {
    await layout.root.close();
  }
}

/** Acknowledged serials the reopened store does not have, or has without its user's Node-IDs. */
async function missingCertificates(storePath: string, serials: readonly string[]): Promise<string[]> {
  const store = await LmdbEnrollmentStore.open({ path: storePath });
  try {
    const missing: string[] = [];
    for (const serial of serials) {
      const record = await store.getCertificate(serial);
      const holder = record === undefined ? undefined : await store.getUser(record.userName);
      if (
        record === undefined ||
        holder === undefined ||
        !record.nodeIds.every((id) => holder.nodeIds.includes(id))
      ) {
        missing.push(serial);
      }
    }
    return missing;
  } finally {
    await store.close();
  }
}
