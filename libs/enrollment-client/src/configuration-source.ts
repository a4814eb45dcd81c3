import { setTimeout as sleep } from 'node:timers/promises';
import { type ReloadCertificate, parseCertificate } from '@p2psip/identity';
import { type OverlayConfiguration, verifyConfigurationDocument } from '@p2psip/overlay-config';
import { EnrollmentClientError } from './errors';
import { httpsCall } from './https-get';

export interface FetchedConfiguration {
  readonly configuration: OverlayConfiguration;
  /** The exact bytes served (signatures cover them; keep them to pass on unchanged). */
  readonly document: Buffer;
}

export interface FetchConfigurationInit {
  /** `https://…/.well-known/reload-config` */
  readonly url: string;
  /** The overlay CA the document's signer must chain to (the `--ca` file). */
  readonly caPem: string;
  /** The overlay a node expects to join; the document must name it. */
  readonly expectedOverlay?: string;
  /** The configuration a node already holds: the new one must be newer and signed by its signer. */
  readonly previous?: OverlayConfiguration;
  readonly timeoutMs?: number;
  readonly signal?: AbortSignal;
}

/**
 * Fetches the overlay configuration document over HTTPS (server certificate checked against the
 * overlay CA) and verifies it (RFC 6940 §11.1: signature by a configuration signer that chains to
 * the CA, overlay name, expiry, sequence).
 */
export async function fetchConfiguration(init: FetchConfigurationInit): Promise<FetchedConfiguration> {
  const answer = await httpsCall(init.url, {
    caPem: init.caPem,
    ...(init.timeoutMs === undefined ? {} : { timeoutMs: init.timeoutMs }),
    ...(init.signal ? { signal: init.signal } : {}),
    headers: { accept: 'application/p2p-overlay+xml' },
  });
  if (answer.status !== 200) {
    throw new EnrollmentClientError(
      'CONFIGURATION_UNAVAILABLE',
      'unavailable',
      `${init.url} answered ${answer.status}`,
    );
  }
  const trustedCa: ReloadCertificate = parseCertificate(init.caPem);
  const configuration = verifyConfigurationDocument(answer.body, {
    trustedCa,
    expectedOverlay: init.expectedOverlay ?? overlayOfCa(trustedCa),
    ...(init.previous ? { previous: init.previous } : {}),
  });
  return { configuration, document: answer.body };
}

/** Our CAs are named `CN=<overlay> root CA`; without an expected overlay, that name is it. */
function overlayOfCa(ca: ReloadCertificate): string {
  const match = /CN=(.+) root CA/.exec(ca.subject);
  if (!match?.[1])
    throw new EnrollmentClientError(
      'OVERLAY_UNKNOWN',
      'invalid-argument',
      'say which overlay to join (the CA does not name one)',
    );
  return match[1];
}

export interface FetchWithRetriesInit extends FetchConfigurationInit {
  readonly signal: AbortSignal;
  /** @default unlimited */
  readonly maxAttempts?: number;
  /** Told about each failed attempt before the next (logging). */
  readonly onRetry?: (error: unknown, attempt: number) => void;
}

/**
 * Fetches the configuration, retrying with growing pauses (up to 5 s) while the configuration
 * server is not up yet: services started together with it must wait, not fail. The signal stops
 * the waiting at once.
 */
export async function fetchConfigurationWithRetries(
  init: FetchWithRetriesInit,
): Promise<FetchedConfiguration> {
  for (let attempt = 1; ; attempt++) {
    try {
      return await fetchConfiguration(init);
    } catch (error) {
      if (init.signal.aborted || attempt >= (init.maxAttempts ?? Infinity)) throw error;
      init.onRetry?.(error, attempt);
      await sleep(Math.min(5000, 250 * attempt), undefined, { signal: init.signal });
    }
  }
}
