import type { CertificateRecord, UserRecord } from '@p2psip/ca';
import { commonV1, enrollmentV1 } from '@p2psip/proto';
import type {
  ConfigurationSettings,
  ConfigurationView,
  KindSettings,
} from '../configuration/configuration-view';

// Generated protobuf types stop here: the rest of the app speaks the CA's and its own types.

const hexToBytes = (hex: string): Buffer => Buffer.from(hex, 'hex');

export function toUserMessage(user: UserRecord): enrollmentV1.User {
  return {
    username: user.userName,
    disabled: user.disabled,
    createdAtMs: BigInt(user.createdAtMs),
    nodeIds: user.nodeIds.map(hexToBytes),
  };
}

export function toCertificateInfo(record: CertificateRecord, nowMs: number): enrollmentV1.CertificateInfo {
  const { CertificateStatus } = enrollmentV1;
  const status =
    record.revokedAtMs !== undefined
      ? CertificateStatus.CERTIFICATE_STATUS_REVOKED
      : record.notAfterMs < nowMs
        ? CertificateStatus.CERTIFICATE_STATUS_EXPIRED
        : CertificateStatus.CERTIFICATE_STATUS_ACTIVE;
  return {
    serialNumber: record.serialNumber,
    username: record.userName,
    nodeIds: record.nodeIds.map(hexToBytes),
    notBeforeMs: BigInt(record.notBeforeMs),
    notAfterMs: BigInt(record.notAfterMs),
    status,
    revokedAtMs: BigInt(record.revokedAtMs ?? 0),
    revocationReason: toRevocationReason(record.revocationReason),
    certificateDer: Buffer.from(record.der),
  };
}

const REASON_PREFIX = 'REVOCATION_REASON_';

/** Stored reasons are the enum names without prefix, lower-cased: `key_compromise`. */
export function revocationReasonText(reason: enrollmentV1.RevocationReason): string {
  const name = enrollmentV1.revocationReasonToJSON(reason);
  return name.startsWith(REASON_PREFIX) ? name.slice(REASON_PREFIX.length).toLowerCase() : 'unspecified';
}

function toRevocationReason(text: string | undefined): enrollmentV1.RevocationReason {
  const reason = enrollmentV1.revocationReasonFromJSON(
    `${REASON_PREFIX}${(text ?? 'unspecified').toUpperCase()}`,
  );
  return reason === enrollmentV1.RevocationReason.UNRECOGNIZED
    ? enrollmentV1.RevocationReason.REVOCATION_REASON_UNSPECIFIED
    : reason;
}

const DATA_MODELS: Record<KindSettings['dataModel'], commonV1.DataModel> = {
  SINGLE: commonV1.DataModel.DATA_MODEL_SINGLE,
  ARRAY: commonV1.DataModel.DATA_MODEL_ARRAY,
  DICTIONARY: commonV1.DataModel.DATA_MODEL_DICTIONARY,
};

const POLICIES: Record<KindSettings['accessControl'], commonV1.AccessPolicy> = {
  'USER-MATCH': commonV1.AccessPolicy.ACCESS_POLICY_USER_MATCH,
  'NODE-MATCH': commonV1.AccessPolicy.ACCESS_POLICY_NODE_MATCH,
  'USER-NODE-MATCH': commonV1.AccessPolicy.ACCESS_POLICY_USER_NODE_MATCH,
  'NODE-MULTIPLE': commonV1.AccessPolicy.ACCESS_POLICY_NODE_MULTIPLE,
  'NODE-ID-MATCH': commonV1.AccessPolicy.ACCESS_POLICY_NODE_ID_MATCH,
};

function invert<K extends string, V extends number>(map: Record<K, V>): Map<V, K> {
  return new Map(Object.entries(map).map(([key, value]) => [value as V, key as K]));
}
const DATA_MODEL_NAMES = invert(DATA_MODELS);
const POLICY_NAMES = invert(POLICIES);

export function toConfigurationMessage(view: ConfigurationView): enrollmentV1.OverlayConfiguration {
  const { settings } = view;
  return {
    overlayName: view.overlay,
    sequence: view.sequence,
    bootstrapNodes: settings.bootstrapNodes.map((node) => ({ host: node.host, port: node.port })),
    kinds: settings.kinds.map((kind) => ({
      id: kind.id,
      name: kind.name ?? '',
      dataModel: DATA_MODELS[kind.dataModel],
      accessPolicy: POLICIES[kind.accessControl],
      maxCount: kind.maxCount,
      maxSizeBytes: kind.maxSize,
      maxNodeMultiple: kind.maxNodeMultiple ?? 0,
    })),
    selfRegistration: settings.selfRegistration,
    allowedDomains: [...settings.allowedDomains],
    maxMessageSizeBytes: settings.maxMessageSize,
    initialTtl: settings.initialTtl,
    maxNodeIdsPerUser: settings.maxNodeIdsPerUser,
  };
}

/** The settings an update message asks for; unknown enum values are refused, not guessed. */
export function fromConfigurationMessage(
  message: enrollmentV1.OverlayConfiguration,
): ConfigurationSettings & { maxNodeIdsPerUser: number } {
  return {
    bootstrapNodes: message.bootstrapNodes.map((node) => ({ host: node.host, port: node.port })),
    kinds: message.kinds.map((kind) => {
      const dataModel = DATA_MODEL_NAMES.get(kind.dataModel);
      const accessControl = POLICY_NAMES.get(kind.accessPolicy);
      if (!dataModel || !accessControl) {
        throw Object.assign(new Error(`kind ${kind.id}: data model and access policy are required`), {
          kind: 'invalid-argument',
          code: 'INVALID_KIND',
        });
      }
      return {
        id: kind.id,
        ...(kind.name ? { name: kind.name } : {}),
        dataModel,
        accessControl,
        maxCount: kind.maxCount,
        maxSize: kind.maxSizeBytes,
        ...(kind.maxNodeMultiple ? { maxNodeMultiple: kind.maxNodeMultiple } : {}),
      };
    }),
    selfRegistration: message.selfRegistration,
    allowedDomains: [...message.allowedDomains],
    maxMessageSize: message.maxMessageSizeBytes,
    initialTtl: message.initialTtl,
    maxNodeIdsPerUser: message.maxNodeIdsPerUser,
  };
}
