import { mkdir } from 'node:fs/promises';
import path from 'node:path';
import { removeDeploymentFile, writeDeploymentFile, deploymentFilePath } from './deployment-file';
import { startBootstraps } from './bootstrap';
import { ChildProcesses } from './child-processes';
import { startEnrollment } from './enrollment';
import { startNats } from './nats';
import { startPeers } from './peers';
import { parseOptions } from './options';
import { startRelay } from './relay';

// The launcher of `npm start`: starts every part of the local deployment on loopback, describes it
// in deployment.json, prints `ready`, and on SIGINT/SIGTERM stops everything in reverse order.

const repoRoot = path.resolve(__dirname, '..', '..', '..');

async function main(): Promise<void> {
  const options = parseOptions(process.argv, repoRoot);
  await mkdir(options.stateDir, { recursive: true });
  const shutdown = new AbortController();
  // Children are tracked from their spawn: one that dies while starting, or after it was ready
  // while later ones start, stops the deployment; Ctrl-C while starting stops it too.
  const children = new ChildProcesses({
    onUnexpectedExit: (name, how) => {
      console.error(`${name} exited unexpectedly (${how}); stopping the deployment`);
      void stopAll(1);
    },
  });
  let stopped: Promise<never> | undefined;
  // One stop, however many ask for it; every caller waits for it (it ends the process).
  const stopAll = (exitCode: number): Promise<never> =>
    (stopped ??= (async () => {
      shutdown.abort();
      await children.stopAll();
      await removeDeploymentFile(options.stateDir);
      console.log('stopped');
      process.exit(exitCode);
    })());
  let interrupted = false;
  const interrupt = (): void => {
    interrupted = true;
    void stopAll(0);
  };
  process.on('SIGINT', interrupt);
  process.on('SIGTERM', interrupt);

  const startOrStop = async <T>(start: () => Promise<T>): Promise<T> => {
    try {
      return await start();
    } catch (error) {
      // A service stopped by Ctrl-C while starting is no failure; anything else says why (with its log).
      if (!interrupted) console.error(`local deployment failed: ${(error as Error).message}`);
      return stopAll(1);
    }
  };
  const nats = await startOrStop(() => startNats(options.stateDir, shutdown.signal, children.track));
  const enrollment = await startOrStop(() =>
    startEnrollment({
      repoRoot,
      stateDir: options.stateDir,
      overlay: options.overlay,
      natsUrl: nats.url,
      track: children.track,
    }),
  );
  const bootstraps = await startOrStop(() =>
    startBootstraps({
      repoRoot,
      stateDir: options.stateDir,
      overlay: options.overlay,
      natsUrl: nats.url,
      enrollment,
      count: 2,
      track: children.track,
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
      track: children.track,
    }),
  );
  const relay = await startOrStop(() =>
    startRelay({
      repoRoot,
      stateDir: options.stateDir,
      overlay: options.overlay,
      natsUrl: nats.url,
      enrollment,
      peer: peers.peers[0]?.address ?? '',
      track: children.track,
    }),
  );

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
    relay: { grpc: relay.grpc, turn: relay.turn },
    processes: [...children.list()],
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
  console.log('a client: enroll (after the admin line above), then store and fetch signed values:');
  console.log(
    `  npx p2psip enroll --config-url ${enrollment.configurationUrl} --ca ${enrollment.caFile} --identity ./alice --user alice@${options.overlay} --password <pw>`,
  );
  console.log(
    `  npx p2psip store alice@${options.overlay} --kind CERTIFICATE_BY_USER --value hello --identity ./alice --bootstrap ${bootstraps.addresses[0] ?? ''}`,
  );
  console.log(
    `  npx p2psip fetch alice@${options.overlay} --kind CERTIFICATE_BY_USER --identity ./alice --bootstrap ${bootstraps.addresses[0] ?? ''} --json`,
  );
  console.log(`relay: ${relay.grpc} (coturn ${relay.turn}); TURN relays with credentials:`);
  console.log(`  npx p2psip relays --relay ${relay.grpc} --identity <your identity dir> --json`);
  console.log(`logs: ${path.join(options.stateDir, 'logs')}`);
  console.log(`deployment described in ${deploymentFilePath(options.stateDir)}`);
  console.log('ready');
}

main().catch((error: unknown) => {
  console.error(`local deployment failed: ${(error as Error).message}`);
  process.exit(1);
});
