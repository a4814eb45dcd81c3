import { UsageError } from '@p2psip/cli';
import { commonV1, type enrollmentV1 } from '@p2psip/proto';

const MODELS: Record<string, commonV1.DataModel> = {
  SINGLE: commonV1.DataModel.DATA_MODEL_SINGLE,
  ARRAY: commonV1.DataModel.DATA_MODEL_ARRAY,
  DICTIONARY: commonV1.DataModel.DATA_MODEL_DICTIONARY,
};

const POLICIES: Record<string, commonV1.AccessPolicy> = {
  'USER-MATCH': commonV1.AccessPolicy.ACCESS_POLICY_USER_MATCH,
  'NODE-MATCH': commonV1.AccessPolicy.ACCESS_POLICY_NODE_MATCH,
  'USER-NODE-MATCH': commonV1.AccessPolicy.ACCESS_POLICY_USER_NODE_MATCH,
  'NODE-MULTIPLE': commonV1.AccessPolicy.ACCESS_POLICY_NODE_MULTIPLE,
  'NODE-ID-MATCH': commonV1.AccessPolicy.ACCESS_POLICY_NODE_ID_MATCH,
};

export const KIND_SPEC_HELP =
  '<id>:<SINGLE|ARRAY|DICTIONARY>:<policy>:<max-count>:<max-size>[:<max-node-multiple>], ' +
  'e.g. 0xf0000001:SINGLE:USER-MATCH:1:1024';

/** A kind from the `config set --kind` syntax (the server validates it against RFC 6940 §11.1). */
export function parseKindSpec(text: string): enrollmentV1.KindDefinition {
  const parts = text.split(':');
  const [idText, model, policy, countText, sizeText, multipleText] = parts;
  const id = Number(idText);
  const maxCount = Number(countText);
  const maxSize = Number(sizeText);
  const maxNodeMultiple = multipleText === undefined ? 0 : Number(multipleText);
  const bad = (why: string): never => {
    throw new UsageError(`--kind ${JSON.stringify(text)}: ${why} (expected ${KIND_SPEC_HELP})`);
  };
  if (parts.length < 5 || parts.length > 6) bad('wrong number of fields');
  if (!Number.isInteger(id) || id <= 0 || id > 0xffffffff) bad('the Kind-ID must be a uint32 above 0');
  const dataModel = MODELS[(model ?? '').toUpperCase()] ?? bad(`unknown data model ${String(model)}`);
  const accessPolicy =
    POLICIES[(policy ?? '').toUpperCase()] ?? bad(`unknown access policy ${String(policy)}`);
  for (const [name, value] of [
    ['max-count', maxCount],
    ['max-size', maxSize],
    ['max-node-multiple', maxNodeMultiple],
  ] as const) {
    if (!Number.isInteger(value) || value < 0 || value > 0xffffffff)
      bad(`${name} must be a non-negative integer`);
  }
  return { id, name: '', dataModel, accessPolicy, maxCount, maxSizeBytes: maxSize, maxNodeMultiple };
}

/** The kinds after an update: specs replace kinds with the same id, removals drop them. */
export function mergeKinds(
  current: readonly enrollmentV1.KindDefinition[],
  added: readonly enrollmentV1.KindDefinition[],
  removed: readonly number[],
): enrollmentV1.KindDefinition[] {
  const replaced = new Set([...added.map((k) => k.id), ...removed]);
  return [...current.filter((k) => !replaced.has(k.id)), ...added];
}

export function parseKindId(text: string): number {
  const id = Number(text);
  if (!Number.isInteger(id) || id <= 0 || id > 0xffffffff)
    throw new UsageError(`--remove-kind takes a Kind-ID, got ${text}`);
  return id;
}
