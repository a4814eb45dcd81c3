import { createTestPki } from '@p2psip/testing';
import { attach } from './attachment';

describe('attach', () => {
  it('needs a peer or a bootstrap service, and names every candidate that failed', async () => {
    const pki = await createTestPki();
    const node = await pki.issue();
    const base = { identity: node, nodeId: node.nodeIds[0], timeoutMs: 500 };
    await expect(attach(base)).rejects.toMatchObject({ code: 'USAGE' });
    // Port 1 on loopback: nothing listens, the call fails fast.
    const direct = attach({ ...base, peer: '127.0.0.1:1' });
    await expect(direct).rejects.toMatchObject({ code: 'NO_ATTACHMENT' });
    await expect(direct).rejects.toThrow(/no peer to attach to \(127\.0\.0\.1:1: /);
    // A bootstrap that does not answer names no peer at all.
    await expect(attach({ ...base, bootstraps: ['127.0.0.1:1'] })).rejects.toThrow(/none known/);
  }, 30_000);
});
