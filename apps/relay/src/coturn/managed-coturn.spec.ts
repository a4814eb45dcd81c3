import { createTempDir } from '@p2psip/testing';
import { ManagedCoturn } from './managed-coturn';

const silent = { info: () => undefined, warn: () => undefined, error: () => undefined } as never;

describe('relay — managed coturn supervision', () => {
  it('says when coturn dies on its own, restarts it after the delay, and says nothing on stop', async () => {
    const dir = await createTempDir('managed-coturn');
    const exits: string[] = [];
    // `false` ignores coturn's flags and exits 1 at once: a coturn that keeps dying.
    const coturn = new ManagedCoturn(
      { logger: silent, onExit: (why) => exits.push(why) },
      { binary: 'false', port: 1, cliPort: 2, secret: 's', realm: 'r', dir: dir.path, restartDelayMs: 100 },
    );
    try {
      await coturn.start();
      const firstPid = coturn.pid;
      const deadline = Date.now() + 5000;
      while (exits.length < 2 && Date.now() < deadline)
        await new Promise((resolve) => setTimeout(resolve, 20));
      expect(exits.slice(0, 2)).toEqual(['coturn exited (code 1)', 'coturn exited (code 1)']);
      expect(coturn.pid).not.toBe(firstPid);
    } finally {
      await coturn.stop();
      await dir.remove();
    }
    const seen = exits.length;
    await new Promise((resolve) => setTimeout(resolve, 300));
    expect(exits.length).toBe(seen);
  });
});
