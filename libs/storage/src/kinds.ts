import { BUILT_IN_KINDS, type KindDefinition } from '@p2psip/overlay-config';
import type { AccessPolicySettings } from './access-policy';

export type { KindDefinition };

/** Kind-IDs of the built-in kinds (RFC 6940 §14, RFC 7904). */
export const Kind = {
  SipRegistration: 0x1,
  TurnService: 0x2,
  CertificateByNode: 0x3,
  CertificateByUser: 0x10,
  Redir: 0x104,
} as const;

/**
 * The kinds a node stores, from the configuration document's `required-kinds`, and the document's
 * settings their access policies need (ReDiR's branching factor).
 */
export class KindRegistry {
  private readonly byId: Map<number, KindDefinition>;

  constructor(
    kinds: readonly KindDefinition[] = BUILT_IN_KINDS,
    readonly policySettings: AccessPolicySettings = {},
  ) {
    this.byId = new Map(kinds.map((kind) => [kind.id, kind]));
  }

  get(id: number): KindDefinition | undefined {
    return this.byId.get(id);
  }

  all(): KindDefinition[] {
    return [...this.byId.values()];
  }
}
