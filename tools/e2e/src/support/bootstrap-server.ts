import { type AppProcess, binPath, spawnApp } from '@p2psip/testing';

export interface RunningBootstrap {
  readonly app: AppProcess;
  readonly grpc: string;
}

/** `p2psip-bootstrap serve …` as a process, ready once it logs `ready` (with its address). */
export async function startBootstrap(args: readonly string[]): Promise<RunningBootstrap> {
  const app = await spawnApp(binPath('p2psip-bootstrap'), {
    args: ['serve', ...args],
    readyWhen: (line) => line.includes('"msg":"ready"'),
  });
  const ready = app.output.find((line) => line.includes('"msg":"ready"')) ?? '{}';
  return { app, grpc: (JSON.parse(ready) as { grpc: string }).grpc };
}
