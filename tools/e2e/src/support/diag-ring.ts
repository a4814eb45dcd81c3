import { runBin } from './run-bin';
import { waitFor } from './wait-for';

/** What `p2psip diag ring --json` prints. */
export interface RingReport {
  readonly peers: number;
  readonly consistent: boolean;
  readonly nodes: readonly {
    nodeId: string;
    address: string;
    successor: string | null;
    predecessor: string | null;
  }[];
}

/** Walks the ring through a bootstrap service with `p2psip diag ring`, as an operator would. */
export async function diagRing(bootstrap: string, identityDir: string): Promise<RingReport> {
  const result = await runBin(
    'p2psip',
    'diag',
    'ring',
    '--bootstrap',
    bootstrap,
    '--identity',
    identityDir,
    '--json',
  );
  return JSON.parse(result.stdout) as RingReport;
}

/** Waits until the ring has `peers` peers and every link is consistent; returns that report. */
export async function waitForConsistentRing(
  bootstrap: string,
  identityDir: string,
  peers: number,
  timeoutMs: number,
): Promise<RingReport> {
  let last: RingReport | undefined;
  await waitFor(
    async () => {
      last = await diagRing(bootstrap, identityDir);
      return last.consistent && last.peers === peers;
    },
    timeoutMs,
    `a consistent ring of ${peers} peers`,
  ).catch((error: Error) => {
    throw new Error(`${error.message}; last report: ${JSON.stringify(last)}`);
  });
  return last as RingReport;
}
