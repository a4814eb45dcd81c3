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
  printClientRecipe({
    overlay: options.overlay,
    adminDir: enrollment.stateDir,
    configUrl: enrollment.configurationUrl,
    caFile: enrollment.caFile,
    bootstrap: bootstraps.addresses[0] ?? '',
  });
  console.log(`relay: ${relay.grpc} (coturn ${relay.turn}); TURN relays with credentials:`);
  console.log(`  npx p2psip relays --relay ${relay.grpc} --identity <your identity dir> --json`);
  console.log(`logs: ${path.join(options.stateDir, 'logs')}`);
  console.log(`deployment described in ${deploymentFilePath(options.stateDir)}`);
  console.log('ready');
}

/** How to run two clients (alice calls bob) and a SIP edge for phones against this deployment. */
function printClientRecipe(d: {
  overlay: string;
  adminDir: string;
  configUrl: string;
  caFile: string;
  bootstrap: string;
}) {
  const enroll = (user: string) =>
    `  npx p2psip enroll --config-url ${d.configUrl} --ca ${d.caFile} --identity ./${user} --user ${user}@${d.overlay} --password pw`;
  const attach = `--bootstrap ${d.bootstrap}`;
  console.log('two clients, alice and bob (each command in its own terminal where it says so):');
  console.log(`  npx p2psip-enrollment user add alice@${d.overlay} --password pw --dir ${d.adminDir}`);
  console.log(`  npx p2psip-enrollment user add bob@${d.overlay} --password pw --dir ${d.adminDir}`);
  console.log(enroll('alice'));
  console.log(enroll('bob'));
  console.log(
    `  npx p2psip listen --identity ./bob ${attach}            # terminal 2: bob answers and prints`,
  );
  console.log(`  npx p2psip message sip:bob@${d.overlay} "hello bob" --identity ./alice ${attach}`);
  console.log(`  npx p2psip call sip:bob@${d.overlay} --identity ./alice ${attach}`);
  console.log(`  npx p2psip lookup sip:bob@${d.overlay} --identity ./alice ${attach}`);
  console.log('standard SIP phones: a SIP edge (users file lines: <user@domain> <password> <identity-dir>):');
  console.log(`  npx p2psip-enrollment user add edge@${d.overlay} --password pw --dir ${d.adminDir}`);
  console.log(enroll('edge'));
  console.log(`  echo "bob@${d.overlay} phonepw ./bob" > users.txt`);
  console.log(
    `  npx p2psip sip-edge --identity ./edge --users users.txt --domain ${d.overlay} --listen udp:127.0.0.1:5060 --listen tcp:127.0.0.1:5060 ${attach}`,
  );
  console.log(
    '  then register a phone as bob (password phonepw) with registrar/outbound proxy 127.0.0.1:5060',
  );
}

main().catch((error: unknown) => {
  console.error(`local deployment failed: ${(error as Error).message}`);
  process.exit(1);
});
