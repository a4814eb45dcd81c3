import { spawnSync } from 'node:child_process';
import { binPath, repoRoot } from '@p2psip/testing';

// The bins as a user runs them after `npm install` (`npx <bin>` resolves node_modules/.bin).
function run(bin: string, ...args: string[]): { status: number | null; stdout: string; stderr: string } {
  const result = spawnSync(binPath(bin), args, { cwd: repoRoot(), encoding: 'utf8', timeout: 30_000 });
  return { status: result.status, stdout: result.stdout, stderr: result.stderr };
}

const apps: [bin: string, describes: RegExp][] = [
  ['p2psip-enrollment', /certificate authority/],
  ['p2psip-bootstrap', /first contact/],
  ['p2psip-peer', /Chord-reload/],
  ['p2psip-relay', /TURN/],
  ['p2psip', /thin client/],
];

describe('e2e — app bins', () => {
  it.each(apps)('%s --help exits 0 and describes the app', (bin, describes) => {
    const { status, stdout } = run(bin, '--help');
    expect(status).toBe(0);
    expect(stdout).toMatch(describes);
    expect(stdout).toContain(`Usage: ${bin}`);
  });

  it.each(apps)('%s --version prints the version', (bin) => {
    const { status, stdout } = run(bin, '--version');
    expect(status).toBe(0);
    expect(stdout.trim()).toMatch(/^\d+\.\d+\.\d+$/);
  });

  it('p2psip resource-id prints the Resource-IDs of the DESIGN.md vectors', () => {
    expect(run('p2psip', 'resource-id', 'sip:alice@dht.example.com').stdout).toBe(
      '0c51a942f50c828aef82a5af83e8ed59\n',
    );
    expect(run('p2psip', 'resource-id', 'bob@dht.example.com').stdout).toBe(
      '6c1cfd6d5d9e35557d66a1b05f9e2247\n',
    );
  });

  it('p2psip resource-id --json prints one JSON object', () => {
    const { status, stdout } = run('p2psip', 'resource-id', 'sip:alice@DHT.example.com', '--json');
    expect(status).toBe(0);
    expect(JSON.parse(stdout)).toEqual({
      input: 'sip:alice@DHT.example.com',
      resourceName: 'alice@dht.example.com',
      resourceId: '0c51a942f50c828aef82a5af83e8ed59',
    });
  });

  it('answers bad input with a clear error and exit code 2', () => {
    const broken = run('p2psip', 'resource-id', 'sip:@nowhere');
    expect(broken.status).toBe(2);
    expect(broken.stderr).toMatch(/^error: a SIP AOR needs user@host/);
    const missing = run('p2psip', 'resource-id');
    expect(missing.status).toBe(2);
    expect(missing.stderr).toContain("missing required argument 'name-or-AOR'");
    expect(run('p2psip-peer').status).toBe(2);
  });
});
