import { connect } from '@nats-io/transport-node';
import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { httpsRequest } from './support/https-client';
import { runBinOk } from './support/run-bin';
import { type AppProcess, type TempDir, createTempDir, repoRoot, spawnApp } from '@p2psip/testing';

interface Deployment {
  overlay: string;
  configurationUrl: string;
  caFile: string;
  enrollment: { https: string; grpc: string; adminStateDir: string };
  bootstrap: string[];
  peers: string[];
  stateDir: string;
  requestedPeers: number;
  nats: { url: string };
  processes: { name: string; pid: number }[];
}

function isRunning(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

// `npm start` as a user runs it: the built launcher, a state dir, `ready`, then Ctrl-C.
describe('e2e — local deployment (npm start)', () => {
  let stateDir: TempDir;
  let launcher: AppProcess | undefined;

  beforeEach(async () => {
    stateDir = await createTempDir('deployment');
  });

  afterEach(async () => {
    await launcher?.stop();
    await stateDir.remove();
  });

  it('starts, describes itself in deployment.json, serves NATS, and stops everything on SIGINT', async () => {
    launcher = await spawnApp(process.execPath, {
      args: [
        path.join(repoRoot(), 'tools/local-deployment/dist/main.cjs'),
        '--state-dir',
        stateDir.path,
        '--peers',
        '3',
      ],
      readyWhen: (line) => line === 'ready',
    });
    const file = path.join(stateDir.path, 'deployment.json');
    const deployment = JSON.parse(readFileSync(file, 'utf8')) as Deployment;
    expect(deployment).toMatchObject({ overlay: 'p2psip.test', stateDir: stateDir.path, requestedPeers: 3 });
    expect(deployment.nats.url).toMatch(/^nats:\/\/127\.0\.0\.1:\d+$/);

    const document = await httpsRequest(deployment.configurationUrl, readFileSync(deployment.caFile, 'utf8'));
    expect([document.status, document.contentType]).toEqual([200, 'application/p2p-overlay+xml']);
    expect(document.body.toString()).toContain(`instance-name="p2psip.test"`);
    // The bootstrap instances run and are published as the configuration's bootstrap nodes.
    expect(deployment.bootstrap).toHaveLength(2);
    for (const address of deployment.bootstrap) {
      const [host, port] = address.split(':');
      expect(document.body.toString()).toContain(`<bootstrap-node address="${host}" port="${port}"`);
    }
    expect(existsSync(path.join(deployment.enrollment.adminStateDir, 'admin', 'cert.pem'))).toBe(true);

    // The requested peers run and form one consistent ring.
    expect(deployment.peers).toHaveLength(3);
    const ring = await runBinOk(
      'p2psip',
      'diag',
      'ring',
      '--bootstrap',
      deployment.bootstrap[0] ?? '',
      '--identity',
      path.join(stateDir.path, 'peer-1'),
      '--json',
    );
    expect(JSON.parse(ring)).toMatchObject({ peers: 3, consistent: true });

    const connection = await connect({ servers: deployment.nats.url, timeout: 5000 });
    expect(connection.info?.jetstream).toBe(true);
    await connection.close();

    launcher.child.kill('SIGINT');
    expect(await launcher.exited()).toBe(0);
    expect(existsSync(file)).toBe(false);
    for (const { pid } of deployment.processes) expect(isRunning(pid)).toBe(false);
  });

  it('refuses a bad --peers value with a clear message', async () => {
    launcher = await spawnApp(process.execPath, {
      args: [
        path.join(repoRoot(), 'tools/local-deployment/dist/main.cjs'),
        '--state-dir',
        stateDir.path,
        '--peers',
        'many',
      ],
    });
    expect(await launcher.exited()).not.toBe(0);
    expect(launcher.output.join('\n')).toContain('--peers must be an integer');
  });
});
