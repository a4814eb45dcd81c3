import {
  type FetchedConfiguration,
  fetchConfiguration,
  fetchConfigurationWithRetries,
} from '@p2psip/enrollment-client';
import type { Logger } from '@p2psip/telemetry';

/**
 * The overlay configuration the bootstrap service hands joining nodes: fetched from the
 * configuration server, verified, refreshed periodically (a newer sequence replaces it; a document
 * that fails verification is logged and ignored).
 */
export class ConfigurationCache {
  private current: FetchedConfiguration | undefined;
  private timer: NodeJS.Timeout | undefined;

  constructor(
    private readonly init: {
      readonly url: string;
      readonly caPem: string;
      readonly logger: Logger;
      readonly refreshMs?: number;
    },
  ) {}

  /** Fetches the first document, retrying until it succeeds or the signal aborts. */
  async load(signal: AbortSignal): Promise<FetchedConfiguration> {
    this.current = await fetchConfigurationWithRetries({
      url: this.init.url,
      caPem: this.init.caPem,
      signal,
      onRetry: (error, attempt) =>
        this.init.logger.warn({ err: error, attempt }, 'configuration not available yet; retrying'),
    });
    return this.current;
  }

  get(): FetchedConfiguration {
    if (!this.current) throw new Error('configuration not loaded');
    return this.current;
  }

  scheduleRefresh(signal: AbortSignal): void {
    const refresh = (): void => {
      const previous = this.current?.configuration;
      fetchConfiguration({
        url: this.init.url,
        caPem: this.init.caPem,
        signal,
        ...(previous ? { previous } : {}),
      })
        .then((next) => {
          this.current = next;
          this.init.logger.info({ sequence: next.configuration.sequence }, 'configuration updated');
        })
        .catch((error: { code?: string }) => {
          if (error.code !== 'SEQUENCE_NOT_NEWER')
            this.init.logger.warn({ err: error }, 'configuration refresh failed');
        })
        .finally(() => {
          if (!signal.aborted) this.timer = setTimeout(refresh, this.init.refreshMs ?? 60_000);
        });
    };
    this.timer = setTimeout(refresh, this.init.refreshMs ?? 60_000);
    signal.addEventListener('abort', () => clearTimeout(this.timer), { once: true });
  }
}
