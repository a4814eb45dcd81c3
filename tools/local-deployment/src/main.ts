import type { ChildProcess } from 'node:child_process';
import { mkdir } from 'node:fs/promises';
import path from 'node:path';
import { removeDeploymentFile, writeDeploymentFile, deploymentFilePath } from './deployment-file';
import { startBootstraps } from './bootstrap';
import { startEnrollment } from './enrollment';
import { startNats } from './nats';
import { startPeers } from './peers';
import { parseOptions } from './options';

// The launcher of `npm start`: starts every part of the local deployment on loopback, describes it
// in deployment.json, prints `ready`, and on SIGINT/SIGTERM stops everything in reverse order.

const repoRoot = path.resolve(__dirname, '..', '..', '..');

async function main(): Promise<void> {
  const options = parseOptions(process.argv, repoRoot);
  await mkdir(options.stateDir, { recursive: true });
  const shutdown = new AbortController();
  const children: { name: string; child: ChildProcess }[] = [];
  let stopping = false;

  const stopAll = async (exitCode: number): Promise<void> => {
    if (stopping) return;
    stopping = true;
    shutdown.abort();
    for (const { child } of [...children].reverse()) await stopChild(child);
    await removeDeploymentFile(options.stateDir);
    console.log('stopped');
    process.exit(exitCode);
  };
  process.on('SIGINT', () => void stopAll(0));
  process.on('SIGTERM', () => void stopAll(0));

  // Children are registered as soon as they run, so a failure later on still stops them.
  const startOrStop = async <T>(start: () => Promise<T>): Promise<T> => {
    try {
      return await start();
    } catch (error) {
      console.error(`local deployment failed: ${(error as Error).message}`);
      await stopAll(1);
      throw error;
    }
  };
  const nats = await startOrStop(() => startNats(options.stateDir, shutdown.signal));
  children.push({ name: 'nats-server', child: nats.child });
  const enrollment = await startOrStop(() =>
    startEnrollment({ repoRoot, stateDir: options.stateDir, overlay: options.overlay, natsUrl: nats.url }),
  );
  children.push({ name: 'enrollment', child: enrollment.process.child });
  const bootstraps = await startOrStop(() =>
    startBootstraps({
      repoRoot,
      stateDir: options.stateDir,
      overlay: options.overlay,
      natsUrl: nats.url,
      enrollment,
      count: 2,
      track: (service) => children.push({ name: service.name, child: service.child }),
    }),
  );
  const peers = await startOrStop(() =>
    startPeers({
      repoRoot,
      stateDir: options.stateDir,
      overlay: options.overlay,
      natsUrl: nats.url,
      enrollment,
      count: options.peers,
      perProcess: options.peersPerProcess,
      track: (service) => children.push({ name: service.name, child: service.child }),
    }),
  );
  for (const { name, child } of children) {
    child.once('exit', (code, signal) => {
      if (stopping) return;
      console.error(`${name} exited unexpectedly (${code ?? signal}); stopping the deployment`);
      void stopAll(1);
    });
  }

  await writeDeploymentFile({
    overlay: options.overlay,
    stateDir: options.stateDir,
    startedAt: new Date().toISOString(),
    configurationUrl: enrollment.configurationUrl,
    caFile: enrollment.caFile,
    enrollment: {
      https: enrollment.https,
      grpc: enrollment.grpc,
      metrics: enrollment.metrics,
      adminStateDir: enrollment.stateDir,
    },
    bootstrap: [...bootstraps.addresses],
    peers: peers.peers.map((peer) => peer.address),
    requestedPeers: options.peers,
    nats: { url: nats.url },
    relay: null,
    processes: children.map(({ name, child }) => ({ name, pid: child.pid ?? -1 })),
  });
  console.log(`NATS control plane: ${nats.url}`);
  console.log(
    `enrollment: https://${enrollment.https}/enroll (gRPC ${enrollment.grpc}), CA ${enrollment.caFile}`,
  );
  console.log(`configuration: ${enrollment.configurationUrl}`);
  console.log(`bootstrap: ${bootstraps.addresses.join(', ')}`);
  console.log(`peers: ${peers.peers.length} in ${peers.processes.length} process(es); check the ring with`);
  console.log(
    `  npx p2psip diag ring --bootstrap ${bootstraps.addresses[0] ?? ''} --identity ${path.join(options.stateDir, 'peer-1')}`,
  );
  console.log(
    `admin: npx p2psip-enrollment user add <user>@${options.overlay} --password <pw> --dir ${enrollment.stateDir}`,
  );
  console.log(`logs: ${path.join(options.stateDir, 'logs')}`);
  console.log(`deployment described in ${deploymentFilePath(options.stateDir)}`);
  console.log('ready');
}

function stopChild(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return Promise.resolve();
  return new Promise((resolve) => {
    const timer = setTimeout(() => child.kill('SIGKILL'), 5000);
    child.once('exit', () => {
      clearTimeout(timer);
      resolve();
    });
    child.kill('SIGTERM');
  });
}

main().catch((error: unknown) => {
  console.error(`local deployment failed: ${(error as Error).message}`);
  process.exit(1);
});
