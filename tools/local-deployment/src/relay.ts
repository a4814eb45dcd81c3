import { randomBytes } from 'node:crypto';
import { createSocket } from 'node:dgram';
import { existsSync } from 'node:fs';
import { writeFile } from 'node:fs/promises';
import { createServer } from 'node:net';
import path from 'node:path';
import type { RunningEnrollment } from './enrollment';
import type { TrackChild } from './child-processes';
import { type ServiceProcess, startService } from './service-process';
import { serviceUserPassword } from './service-users';

export interface RunningRelay {
  readonly process: ServiceProcess;
  readonly grpc: string;
  /** The managed coturn's TURN listener. */
  readonly turn: string;
}

/**
 * The relay service enrolled as `relay@<overlay>`, running a managed coturn on loopback with a
 * shared secret kept in `<state-dir>/turn-secret` (0600, made once), advertising it in the overlay
 * through the first peer.
 */
export async function startRelay(init: {
  readonly repoRoot: string;
  readonly stateDir: string;
  readonly overlay: string;
  readonly natsUrl: string;
  readonly enrollment: RunningEnrollment;
  readonly peer: string;
  readonly track: TrackChild;
}): Promise<RunningRelay> {
  const bin = (name: string) => path.join(init.repoRoot, 'node_modules', '.bin', name);
  const userName = `relay@${init.overlay}`;
  const password = await serviceUserPassword(init, bin('p2psip-enrollment'), userName);
  const secretFile = path.join(init.stateDir, 'turn-secret');
  if (!existsSync(secretFile))
    await writeFile(secretFile, `${randomBytes(24).toString('hex')}\n`, { mode: 0o600 });
  const turnPort = await freeTcpUdpPort();
  const service = await startService({
    name: 'relay',
    command: bin('p2psip-relay'),
    args: [
      'serve',
      ...['--config-url', init.enrollment.configurationUrl, '--ca', init.enrollment.caFile],
      ...['--identity', path.join(init.stateDir, 'relay'), '--user', userName, '--password', password],
      ...[
        '--manage-coturn',
        '--coturn-port',
        String(turnPort),
        '--coturn-cli-port',
        String(await freeTcpUdpPort()),
      ],
      ...['--turn-secret-file', secretFile, '--nats-url', init.natsUrl, '--peer', init.peer],
    ],
    logDir: path.join(init.stateDir, 'logs'),
    readyWhen: (line) => line.includes('"msg":"ready"'),
    track: init.track,
  });
  const grpc = (JSON.parse(service.readyLine) as { grpc?: string }).grpc;
  if (!grpc) throw new Error(`relay did not say where it listens; see ${service.logFile}`);
  return { process: service, grpc, turn: `127.0.0.1:${turnPort}` };
}

/** A loopback port free for TCP and UDP now (coturn listens on both and cannot take port 0). */
async function freeTcpUdpPort(): Promise<number> {
  for (let attempt = 0; attempt < 20; attempt++) {
    const port = await new Promise<number>((resolve, reject) => {
      const server = createServer();
      server.once('error', reject);
      server.listen(0, '127.0.0.1', () => {
        const address = server.address();
        server.close(() => resolve(typeof address === 'object' && address ? address.port : 0));
      });
    });
    const udpFree = await new Promise<boolean>((resolve) => {
      const socket = createSocket('udp4');
      socket.once('error', () => resolve(false));
      socket.bind(port, '127.0.0.1', () => socket.close(() => resolve(true)));
    });
    if (udpFree) return port;
  }
  throw new Error('no port free for both TCP and UDP');
}
