import path from 'node:path';
import { createProgram } from '@p2psip/cli';

export interface DeploymentOptions {
  /** Where every process keeps its state, and where deployment.json is written. */
  readonly stateDir: string;
  readonly overlay: string;
  /** How many overlay peers to run. */
  readonly peers: number;
  /** Virtual peers per peer process. */
  readonly peersPerProcess: number;
}

/** Reads `npm start -- [--state-dir <dir>] [--peers <n>] [--overlay <name>]`. */
export function parseOptions(argv: readonly string[], repoRoot: string): DeploymentOptions {
  const program = createProgram({
    name: 'npm start --',
    description: 'Run the full P2PSIP deployment on loopback until interrupted (Ctrl-C).',
    version: '0.1.0',
  })
    .option(
      '--state-dir <dir>',
      'state of every process, and deployment.json',
      path.join(repoRoot, '.local-deployment'),
    )
    .option('--peers <n>', 'number of overlay peers', '5')
    .option('--overlay <name>', 'overlay name', 'p2psip.test')
    .option('--peers-per-process <n>', 'virtual peers per peer process', '8');
  program.parse([...argv]);
  const raw = program.opts<{ stateDir: string; peers: string; overlay: string; peersPerProcess: string }>();
  const peers = Number(raw.peers);
  if (!Number.isInteger(peers) || peers < 1 || peers > 1000) {
    program.error(`--peers must be an integer in 1..1000, got ${raw.peers}`);
  }
  const peersPerProcess = Number(raw.peersPerProcess);
  if (!Number.isInteger(peersPerProcess) || peersPerProcess < 1 || peersPerProcess > 200) {
    program.error(`--peers-per-process must be an integer in 1..200, got ${raw.peersPerProcess}`);
  }
  return { stateDir: path.resolve(raw.stateDir), overlay: raw.overlay, peers, peersPerProcess };
}
