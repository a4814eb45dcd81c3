import { type AppProcess, binPath, spawnApp } from '@p2psip/testing';

export interface RunningPeerProcess {
  readonly app: AppProcess;
  readonly peers: readonly { nodeId: string; address: string }[];
  /** Where the process serves health and Prometheus metrics. */
  readonly metrics: string;
}

/** `p2psip-peer run …` as a process, ready once it logs `ready` with its peers. */
export async function startPeerProcess(args: readonly string[]): Promise<RunningPeerProcess> {
  const app = await spawnApp(binPath('p2psip-peer'), {
    args: ['run', ...args],
    readyWhen: (line) => line.includes('"msg":"ready"'),
    readyTimeoutMs: 60_000,
  });
  const ready = app.output.find((line) => line.includes('"msg":"ready"')) ?? '{}';
  const { peers, metrics } = JSON.parse(ready) as {
    peers: { nodeId: string; address: string }[];
    metrics: string;
  };
  return { app, peers, metrics };
}
