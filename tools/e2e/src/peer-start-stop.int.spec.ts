import path from 'node:path';
import { type TempDir, binPath, createTempDir, createTestPki, spawnApp } from '@p2psip/testing';
import { writeFile } from 'node:fs/promises';

// A peer that cannot start yet (no configuration server) must still stop cleanly on SIGTERM.
describe('e2e — peer stopped while starting', () => {
  let work: TempDir;

  beforeAll(async () => {
    work = await createTempDir('peer-start-stop');
  });

  afterAll(() => work.remove());

  it('exits 0 promptly on SIGTERM while it is still waiting for its configuration', async () => {
    const caFile = path.join(work.path, 'ca.pem');
    await writeFile(caFile, (await createTestPki()).caPem);
    const peer = await spawnApp(binPath('p2psip-peer'), {
      args: [
        'run',
        '--config-url',
        'https://127.0.0.1:9/.well-known/reload-config',
        '--ca',
        caFile,
        '--identity',
        path.join(work.path, 'id'),
      ],
      readyWhen: (line) => line.includes('configuration not available yet'),
    });
    const started = Date.now();
    peer.child.kill('SIGTERM');
    expect(await peer.exited()).toBe(0);
    expect(Date.now() - started).toBeLessThan(5000);
    expect(peer.output.join('\n')).toContain('stopped while starting');
  });
});
