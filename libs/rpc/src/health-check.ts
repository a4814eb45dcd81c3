import {
  type ChannelCredentials,
  type Client,
  Metadata,
  type ServiceError,
  makeGenericClientConstructor,
} from '@grpc/grpc-js';
import { service as healthService } from 'grpc-health-check';

type HealthClient = Client & {
  check(
    request: { service: string },
    metadata: Metadata,
    options: { deadline: Date },
    callback: (error: ServiceError | null, response?: { status: string | number }) => void,
  ): { cancel(): void };
};

const HealthClientConstructor = makeGenericClientConstructor(healthService, 'Health') as unknown as new (
  address: string,
  credentials: ChannelCredentials,
  options?: object,
) => HealthClient;

/** A reusable `grpc.health.v1.Health` client for one server (e.g. a peer a bootstrap probes). */
export function createHealthClient(address: string, credentials: ChannelCredentials): HealthClient {
  return new HealthClientConstructor(address, credentials, {
    'grpc.ssl_target_name_override': 'p2psip.invalid',
  });
}

/**
 * Asks a server whether it serves (`''` = the whole server). Resolves true for SERVING, false for
 * anything else, an error, the deadline or the signal: a probe answers a yes/no question.
 */
export function isServing(
  client: HealthClient,
  options: { readonly service?: string; readonly timeoutMs?: number; readonly signal?: AbortSignal } = {},
): Promise<boolean> {
  return new Promise((resolve) => {
    if (options.signal?.aborted) return resolve(false);
    const call = client.check(
      { service: options.service ?? '' },
      new Metadata(),
      { deadline: new Date(Date.now() + (options.timeoutMs ?? 2000)) },
      (error, response) => {
        options.signal?.removeEventListener('abort', cancel);
        // proto-loader's default enum form is the name; accept the number (1) as well.
        resolve(!error && (response?.status === 'SERVING' || response?.status === 1));
      },
    );
    const cancel = (): void => call.cancel();
    options.signal?.addEventListener('abort', cancel, { once: true });
  });
}
