import { readFile } from 'node:fs/promises';
import { RelayConfigError } from './errors';
import { type RelayEndpoint, parseRelayEndpoint } from './turn/relay-endpoint';

/** Everything `p2psip-relay serve` needs, validated. */
export interface RelayServiceConfig {
  readonly configUrl: string;
  readonly caFile: string;
  readonly identityDir: string;
  readonly userName?: string;
  readonly password?: string;
  /** TURN servers run by someone else (`--turn`). */
  readonly relays: readonly RelayEndpoint[];
  readonly secret: string;
  readonly cliPassword?: string;
  /** Run a loopback coturn on this port (and its CLI on cliPort), or none. */
  readonly managedCoturn?: {
    readonly port: number;
    readonly cliPort: number;
    readonly dir: string;
    /** First pause before restarting a coturn that died, ms (doubles per quick crash). */
    readonly restartDelayMs: number;
  };
  readonly host: string;
  readonly grpcPort: number;
  readonly metricsPort: number;
  readonly natsUrl?: string;
  readonly checkIntervalMs: number;
  /** Credentials' lifetime when a client asks for none, and the most it may ask for, ms. */
  readonly credentialTtlMs: number;
  readonly maxCredentialTtlMs: number;
  /** TURN realm; @default the overlay name */
  readonly realm?: string;
  /** Overlay advertising (TURN-SERVICE and ReDiR): where to attach, density, lifetimes. */
  readonly advertise: {
    readonly enabled: boolean;
    readonly peer?: string;
    readonly bootstrap?: string;
    /** @default the configuration's turn-density */
    readonly turnDensity?: number;
    /** TURN-SERVICE values, s; refreshed at half. */
    readonly lifetimeS: number;
    /** ReDiR records, s; refreshed at 90 %. */
    readonly redirLifetimeS: number;
  };
}

/** Reads a secret file: one line, surrounding white space ignored, never empty. */
export async function readSecretFile(file: string, flag: string): Promise<string> {
  let text: string;
  try {
    text = await readFile(file, 'utf8');
  } catch (error) {
    throw new RelayConfigError('SECRET_FILE_UNREADABLE', `${flag} ${file}: ${(error as Error).message}`, {
      cause: error,
    });
  }
  const secret = text.trim();
  if (secret.length === 0) throw new RelayConfigError('EMPTY_SECRET', `${flag} ${file} is empty`);
  return secret;
}

export function parseRelayEndpoints(texts: readonly string[]): RelayEndpoint[] {
  const endpoints = texts.map(parseRelayEndpoint);
  const seen = new Set<string>();
  for (const endpoint of endpoints) {
    if (seen.has(endpoint.address))
      throw new RelayConfigError('DUPLICATE_RELAY', `--turn ${endpoint.address} is given twice`);
    seen.add(endpoint.address);
  }
  return endpoints;
}
