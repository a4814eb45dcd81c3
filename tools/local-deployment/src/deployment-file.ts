import { rename, rm, writeFile } from 'node:fs/promises';
import path from 'node:path';

/**
 * deployment.json: what runs, and where. Scripts and the end-to-end suite read it instead of
 * guessing ports. Parts that a later issue adds are null until their app runs.
 */
export interface DeploymentDescription {
  readonly overlay: string;
  readonly stateDir: string;
  readonly startedAt: string;
  readonly configurationUrl: string | null;
  readonly caFile: string | null;
  readonly enrollment: {
    readonly https: string;
    readonly grpc: string;
    readonly metrics: string;
    readonly adminStateDir: string;
  } | null;
  readonly bootstrap: readonly string[];
  readonly peers: readonly string[];
  readonly requestedPeers: number;
  readonly nats: { readonly url: string };
  /** The relay service and its managed coturn's TURN listener. */
  readonly relay: { readonly grpc: string; readonly turn: string } | null;
  readonly processes: readonly { readonly name: string; readonly pid: number }[];
}

export function deploymentFilePath(stateDir: string): string {
  return path.join(stateDir, 'deployment.json');
}

/** Written atomically, so a reader never sees half a file. */
export async function writeDeploymentFile(description: DeploymentDescription): Promise<void> {
  const file = deploymentFilePath(description.stateDir);
  await writeFile(`${file}.tmp`, `${JSON.stringify(description, null, 2)}\n`);
  await rename(`${file}.tmp`, file);
}

/** Removed on shutdown: a stale file would send scripts to ports nobody listens on. */
export async function removeDeploymentFile(stateDir: string): Promise<void> {
  await rm(deploymentFilePath(stateDir), { force: true });
}
