import { connect } from '@nats-io/transport-node';
import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { httpsRequest } from './support/https-client';
import { runBinOk } from './support/run-bin';
import { type AppProcess, type TempDir, binPath, createTempDir, repoRoot, spawnApp } from '@p2psip/testing';

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

/**
 * Runs the two-client recipe `npm start` prints, as printed (`./alice` etc. under `dir`): bob
 * listens, alice's message arrives, alice's call completes.
 */
async function followTwoClientRecipe(output: readonly string[], dir: string): Promise<void> {
  const start = output.indexOf(
    'two clients, alice and bob (each command in its own terminal where it says so):',
  );
  expect(start).toBeGreaterThanOrEqual(0);
  const commands: string[][] = [];
  for (const line of output.slice(start + 1)) {
    if (!line.startsWith('  npx ')) break;
    commands.push(
      shellWords(line.replace(/#.*$/, '').trim())
        .slice(1)
        .map((w) => w.replace(/^\.\//, `${dir}/`)),
    );
  }
  let bob: AppProcess | undefined;
  try {
    for (const [bin, ...args] of commands) {
      if (args[0] === 'listen') {
        bob = await spawnApp(binPath(bin), {
          args: [...args, '--json'],
          readyWhen: (l) => l.includes('"registered"'),
        });
        continue;
      }
      await runBinOk(bin, ...args);
      if (args[0] === 'message') await bob?.waitForLine((l) => l.includes('"hello bob"'), 10_000);
      if (args[0] === 'call') await bob?.waitForLine((l) => l.includes('"state":"ended"'), 10_000);
    }
    expect(commands.map(([, sub]) => sub)).toEqual([
      'user',
      'user',
      'enroll',
      'enroll',
      'listen',
      'message',
      'call',
      'lookup',
    ]);
  } finally {
    await bob?.stop();
  }
}

/** Splits a printed command line into words (double quotes group). */
function shellWords(line: string): string[] {
  return [...line.matchAll(/"([^"]*)"|(\S+)/g)].map((m) => m[1] ?? m[2]);
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

    await followTwoClientRecipe(launcher.output, stateDir.path);

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
