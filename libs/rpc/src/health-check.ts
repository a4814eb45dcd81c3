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
  watch(request: { service: string }): HealthWatchCall;
};

/** The server stream of `Health.Watch`: one status now, then one per change. */
export interface HealthWatchCall {
  on(event: 'data', listener: (response: { status: string | number }) => void): this;
  on(event: 'error', listener: (error: Error) => void): this;
  on(event: 'end' | 'close', listener: () => void): this;
  cancel(): void;
}

const HealthClientConstructor = makeGenericClientConstructor(healthService, 'Health') as unknown as new (
  address: string,
  credentials: ChannelCredentials,
  options?: object,
) => HealthClient;

/** A reusable `grpc.health.v1.Health` client for one server (e.g. a peer a bootstrap probes). */
export function createHealthClient(
  address: string,
  credentials: ChannelCredentials,
  options: Record<string, string | number> = {},
): HealthClient {
  return new HealthClientConstructor(address, credentials, {
    'grpc.ssl_target_name_override': 'p2psip.invalid',
    ...options,
  });
}

/** True for the SERVING status (proto-loader's default enum form is the name; 1 as a number). */
export function isServingStatus(status: string | number | undefined): boolean {
  return status === 'SERVING' || status === 1;
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
        resolve(!error && isServingStatus(response?.status));
      },
    );
    const cancel = (): void => call.cancel();
    options.signal?.addEventListener('abort', cancel, { once: true });
  });
}
