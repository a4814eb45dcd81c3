import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { startCoturn } from './coturn';
import { requireCommand } from './system-command';

const run = promisify(execFile);

describe('testing — coturn helper', () => {
  it('starts coturn with use-auth-secret on a free port; its own client allocates; stop ends it', async () => {
    const coturn = await startCoturn();
    try {
      const uclient = requireCommand('turnutils_uclient', 'coturn');
      // turnutils_uclient -W derives TURN REST credentials from the shared secret itself.
      const { stdout } = await run(
        uclient,
        [
          '-W',
          coturn.secret,
          '-u',
          'helper',
          '-n',
          '1',
          '-m',
          '1',
          '-y',
          '-p',
          String(coturn.port),
          '127.0.0.1',
        ],
        { timeout: 20_000 },
      );
      expect(stdout).toContain('Total lost packets 0');
    } finally {
      await coturn.stop();
    }
    expect(() => process.kill(coturn.pid, 0)).toThrow();
  }, 30_000);
});
