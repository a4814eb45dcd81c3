/** A kind as operators define it (a <kind> element of the configuration document). */
export interface KindSettings {
  readonly id: number;
  readonly name?: string;
  readonly dataModel: 'SINGLE' | 'ARRAY' | 'DICTIONARY';
  readonly accessControl: 'USER-MATCH' | 'NODE-MATCH' | 'USER-NODE-MATCH' | 'NODE-MULTIPLE' | 'NODE-ID-MATCH';
  readonly maxCount: number;
  readonly maxSize: number;
  readonly maxNodeMultiple?: number;
}

/** What an admin may change in the configuration document. */
export interface ConfigurationSettings {
  readonly bootstrapNodes: readonly { readonly host: string; readonly port: number }[];
  readonly kinds: readonly KindSettings[];
  readonly selfRegistration: boolean;
  readonly allowedDomains: readonly string[];
  readonly maxMessageSize: number;
  readonly initialTtl: number;
  readonly maxNodeIdsPerUser: number;
}

/** The configuration as served now: settings, sequence and the signed document bytes. */
export interface ConfigurationView {
  readonly overlay: string;
  readonly sequence: number;
  readonly expiresAtMs: number;
  readonly settings: ConfigurationSettings;
  /** The exact bytes of GET /.well-known/reload-config. */
  readonly document: Uint8Array;
}

export interface ConfigurationManager {
  current(): ConfigurationView;
  /**
   * Applies a change, signs a new document with the next sequence and stores it; with
   * `expectedSequence`, fails unless the current sequence still equals it.
   */
  update(change: Partial<ConfigurationSettings>, expectedSequence?: number): Promise<ConfigurationView>;
}

/** An update refused because another change came first (FAILED_PRECONDITION). */
export class ConfigurationConflictError extends Error {
  readonly code = 'CONFIGURATION_CONFLICT';
  readonly kind = 'precondition';

  constructor(expected: number, actual: number) {
    super(`configuration sequence is ${actual}, not ${expected}: fetch it again and retry`);
    this.name = new.target.name;
  }
}
