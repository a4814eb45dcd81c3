import path from 'node:path';
import { type TempDir, createTempDir } from '@p2psip/testing';
import { type RunningBootstrap, startBootstrap } from './bootstrap-server';
import { type RunningEnrollment, startEnrollment } from './enrollment-server';
import { runBinOk } from './run-bin';

export const OVERLAY = 'p2psip.test';
/** Every user the tests create has this password. */
export const PASSWORD = 'pw';

/** An enrollment server and a bootstrap service, published in the configuration: a ring to join. */
export interface TestOverlay {
  readonly work: TempDir;
  /** The enrollment server's state dir (admin commands take it as --dir). */
  readonly caDir: string;
  readonly caFile: string;
  readonly configUrl: string;
  readonly enrollment: RunningEnrollment;
  readonly bootstrap: RunningBootstrap;
  /** A path under the test's temp dir (identity dirs, state dirs). */
  path(name: string): string;
  /** `p2psip-enrollment user add <name>@<overlay>` for each name. */
  addUsers(names: readonly string[]): Promise<void>;
  /** `p2psip-peer run` arguments for peer process n: its identity dir and user `peer<n>`. */
  peerArgs(n: number, extra?: readonly string[]): string[];
  stop(): Promise<void>;
}

export interface TestOverlayInit {
  /** Temp dir prefix. */
  readonly name: string;
  /** Users besides the bootstrap's (peer1, alice …), made before anything joins. */
  readonly users: readonly string[];
  /** Extra `config set` arguments applied before the bootstrap starts (kinds, max Node-IDs …). */
  readonly config?: readonly string[];
}

/**
 * Starts what every overlay end-to-end spec needs before its peers: enrollment (one signing
 * worker), the users, the configuration, one bootstrap service probing every second and published
 * as the configuration's bootstrap node.
 */
export async function startTestOverlay(init: TestOverlayInit): Promise<TestOverlay> {
  const work = await createTempDir(init.name);
  const at = (name: string): string => path.join(work.path, name);
  const caDir = at('ca');
  await runBinOk('p2psip-enrollment', 'init', '--overlay', OVERLAY, '--dir', caDir);
  const enrollment = await startEnrollment(caDir, ['--signing-workers', '1']);
  const addUsers = async (names: readonly string[]): Promise<void> => {
    for (const user of names) {
      await runBinOk(
        'p2psip-enrollment',
        'user',
        'add',
        `${user}@${OVERLAY}`,
        '--password',
        PASSWORD,
        '--dir',
        caDir,
      );
    }
  };
  if (init.config) await runBinOk('p2psip-enrollment', 'config', 'set', ...init.config, '--dir', caDir);
  await addUsers(['bootstrap', ...init.users]);
  const configUrl = `https://${enrollment.endpoints.https}/.well-known/reload-config`;
  const caFile = path.join(caDir, 'ca.pem');
  const bootstrap = await startBootstrap([
    ...['--config-url', configUrl, '--ca', caFile, '--identity', at('bootstrap')],
    ...['--user', `bootstrap@${OVERLAY}`, '--password', PASSWORD, '--probe-interval-ms', '1000'],
  ]);
  await runBinOk('p2psip-enrollment', 'config', 'set', '--bootstrap', bootstrap.grpc, '--dir', caDir);
  return {
    work,
    caDir,
    caFile,
    configUrl,
    enrollment,
    bootstrap,
    path: at,
    addUsers,
    peerArgs: (n, extra = []) => [
      ...['--config-url', configUrl, '--ca', caFile, '--identity', at(`peer${n}`)],
      ...['--user', `peer${n}@${OVERLAY}`, '--password', PASSWORD],
      ...extra,
    ],
    stop: async () => {
      await bootstrap.app.stop();
      await enrollment.app.stop();
      await work.remove();
    },
  };
}
