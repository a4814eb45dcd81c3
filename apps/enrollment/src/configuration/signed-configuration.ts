import type { EnrollmentStore } from '@p2psip/ca';
import type { NodeId, ReloadCertificate } from '@p2psip/identity';
import {
  type OverlayConfiguration,
  defaultConfiguration,
  signConfiguration,
  validateConfiguration,
} from '@p2psip/overlay-config';
import {
  ConfigurationConflictError,
  type ConfigurationManager,
  type ConfigurationSettings,
  type ConfigurationView,
} from './configuration-view';

/** What is stored under the `configuration` setting: enough to rebuild the exact document. */
interface StoredConfiguration {
  readonly sequence: number;
  readonly enrollmentServer: string;
  readonly settings: ConfigurationSettings;
  readonly expiresAtMs: number;
  /** The signed document, base64: served byte for byte across restarts. */
  readonly document: string;
}

const SETTING = 'configuration';
const DAY_MS = 24 * 60 * 60 * 1000;
/** Documents are valid for a year; any change gives a new one (the sequence tells nodes). */
const VALIDITY_MS = 365 * DAY_MS;
/** RFC 6940 §11.1: sequence runs 0..65534 and wraps; 65535 is reserved. */
const SEQUENCE_MODULUS = 65535;

export interface SignedConfigurationInit {
  readonly store: EnrollmentStore;
  readonly overlay: string;
  readonly caCertificate: ReloadCertificate;
  readonly signer: { readonly certificate: ReloadCertificate; readonly keyPem: string };
  /** The URL of POST /enroll as clients reach it now (its port may change between runs). */
  readonly enrollmentServer: string;
  readonly now?: () => number;
}

/**
 * The configuration document as the CA serves it: built from stored settings, signed by the
 * configuration signer, stored with its bytes. Every change (an admin update, or the enrollment
 * URL moving) signs a new document with the next sequence.
 */
export class SignedConfiguration implements ConfigurationManager {
  private stored!: StoredConfiguration;
  private readonly now: () => number;

  private constructor(private readonly init: SignedConfigurationInit) {
    this.now = init.now ?? Date.now;
  }

  static async open(init: SignedConfigurationInit): Promise<SignedConfiguration> {
    const manager = new SignedConfiguration(init);
    await manager.load();
    return manager;
  }

  current(): ConfigurationView {
    return {
      overlay: this.init.overlay,
      sequence: this.stored.sequence,
      expiresAtMs: this.stored.expiresAtMs,
      settings: this.stored.settings,
      document: Buffer.from(this.stored.document, 'base64'),
    };
  }

  async update(
    change: Partial<ConfigurationSettings>,
    expectedSequence?: number,
  ): Promise<ConfigurationView> {
    for (;;) {
      const previous = (await this.init.store.getSetting<StoredConfiguration>(SETTING)) ?? this.stored;
      if (expectedSequence !== undefined && previous.sequence !== expectedSequence) {
        throw new ConfigurationConflictError(expectedSequence, previous.sequence);
      }
      const next = this.build(
        { ...previous.settings, ...change },
        this.init.enrollmentServer,
        nextSequence(previous.sequence),
      );
      if (await this.init.store.compareAndSetSetting(SETTING, previous, next)) {
        this.stored = next;
        return this.current();
      }
    }
  }

  private async load(): Promise<void> {
    const existing = await this.init.store.getSetting<StoredConfiguration>(SETTING);
    if (!existing) {
      const first = this.build(this.defaultSettings(), this.init.enrollmentServer, 1);
      if (await this.init.store.compareAndSetSetting(SETTING, undefined, first)) {
        this.stored = first;
        return;
      }
      return this.load();
    }
    this.stored = existing;
    if (existing.enrollmentServer !== this.init.enrollmentServer || this.expiresSoon(existing)) {
      const moved = this.build(
        existing.settings,
        this.init.enrollmentServer,
        nextSequence(existing.sequence),
      );
      if (await this.init.store.compareAndSetSetting(SETTING, existing, moved)) this.stored = moved;
      else return this.load();
    }
  }

  /**
   * Re-signs the document (next sequence) when less than half its validity is left, so a server
   * that runs for months never serves an expired configuration. Called at start and periodically.
   */
  async renewIfExpiring(): Promise<void> {
    if (!this.expiresSoon(this.stored)) return;
    await this.update({});
  }

  private expiresSoon(stored: StoredConfiguration): boolean {
    return stored.expiresAtMs - this.now() < VALIDITY_MS / 2;
  }

  private defaultSettings(): ConfigurationSettings {
    const defaults = this.baseConfiguration(this.init.enrollmentServer, 1);
    return {
      bootstrapNodes: [],
      kinds: defaults.kinds.map((kind) => ({ ...kind })),
      selfRegistration: defaults.selfRegistration,
      allowedDomains: [this.init.overlay],
      maxMessageSize: defaults.maxMessageSize,
      initialTtl: defaults.initialTtl,
      maxNodeIdsPerUser: defaults.maxNodeIdsPerUser,
    };
  }

  private baseConfiguration(enrollmentServer: string, sequence: number): OverlayConfiguration {
    const base = defaultConfiguration({
      instanceName: this.init.overlay,
      rootCert: this.init.caCertificate.der,
      enrollmentServer,
      configurationSigner: signerNodeId(this.init.signer.certificate),
      now: new Date(this.now()),
      validityMs: VALIDITY_MS,
    });
    return { ...base, sequence };
  }

  private build(
    settings: ConfigurationSettings,
    enrollmentServer: string,
    sequence: number,
  ): StoredConfiguration {
    const configuration: OverlayConfiguration = {
      ...this.baseConfiguration(enrollmentServer, sequence),
      bootstrapNodes: settings.bootstrapNodes.map((node) => ({ address: node.host, port: node.port })),
      kinds: settings.kinds.map((kind) => ({ ...kind })),
      selfRegistration: settings.selfRegistration,
      allowedDomains: [...settings.allowedDomains],
      maxMessageSize: settings.maxMessageSize,
      initialTtl: settings.initialTtl,
      maxNodeIdsPerUser: settings.maxNodeIdsPerUser,
    };
    validateConfiguration(configuration);
    const document = signConfiguration(configuration, {
      certificateDer: this.init.signer.certificate.der,
      privateKeyPem: this.init.signer.keyPem,
    });
    return {
      sequence,
      enrollmentServer,
      settings,
      expiresAtMs: configuration.expiration.getTime(),
      document: Buffer.from(document, 'utf8').toString('base64'),
    };
  }
}

function nextSequence(sequence: number): number {
  return (sequence + 1) % SEQUENCE_MODULUS;
}

function signerNodeId(certificate: ReloadCertificate): NodeId {
  const [first] = certificate.nodeIds;
  if (first === undefined) throw new Error('the configuration signer certificate carries no Node-ID');
  return first;
}
