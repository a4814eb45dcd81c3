import {
  type AccessControlPolicy,
  CONFIG_BASE_NAMESPACE as BASE,
  type DataModel,
  type KindDefinition,
  registeredKindByName,
} from './model';
import { ChildElements, documentError, parseInteger, readEnum, readInteger } from './parse-values';
import type { XmlElement } from './xml';

const UINT32_MAX = 0xffffffff;
const REQUIRED_KINDS_CHILDREN = new Map([[BASE, ['kind-block']]]);
const KIND_BLOCK_CHILDREN = new Map([[BASE, ['kind', 'kind-signature']]]);
const KIND_CHILDREN = new Map([
  [BASE, ['data-model', 'access-control', 'max-count', 'max-size', 'max-node-multiple']],
]);
const DATA_MODELS: readonly DataModel[] = ['SINGLE', 'ARRAY', 'DICTIONARY'];
const POLICIES: readonly AccessControlPolicy[] = [
  'USER-MATCH',
  'NODE-MATCH',
  'USER-NODE-MATCH',
  'NODE-MULTIPLE',
  'NODE-ID-MATCH',
];

/** A kind as read, with the elements its signature check needs. */
export interface MappedKind {
  readonly definition: KindDefinition;
  readonly element: XmlElement;
  readonly signatureElement: XmlElement | undefined;
}

/** The kind-blocks of one `<required-kinds>` (RFC 6940 §11.1.1). */
export function readKindBlocks(requiredKinds: XmlElement): MappedKind[] {
  return new ChildElements(requiredKinds, REQUIRED_KINDS_CHILDREN).all(BASE, 'kind-block').map((block) => {
    const children = new ChildElements(block, KIND_BLOCK_CHILDREN);
    const element = children.required(BASE, 'kind');
    return {
      definition: readKind(element),
      element,
      signatureElement: children.optional(BASE, 'kind-signature'),
    };
  });
}

function readKind(element: XmlElement): KindDefinition {
  const children = new ChildElements(element, KIND_CHILDREN);
  const dataModel = readEnum(children.required(BASE, 'data-model'), DATA_MODELS);
  if (!dataModel) throw documentError('INVALID_VALUE', '<data-model> is not SINGLE, ARRAY or DICTIONARY');
  const accessControl = readEnum(children.required(BASE, 'access-control'), POLICIES);
  if (!accessControl)
    throw documentError('UNSUPPORTED_FEATURE', 'the <access-control> policy is not supported');
  const multiple = children.optional(BASE, 'max-node-multiple');
  if (accessControl === 'NODE-MULTIPLE' && !multiple) {
    throw documentError('MISSING_ELEMENT', 'a NODE-MULTIPLE <kind> has no <max-node-multiple>');
  }
  return {
    ...readKindSelector(element),
    dataModel,
    accessControl,
    maxCount: readInteger(children.required(BASE, 'max-count'), 0, UINT32_MAX),
    maxSize: readInteger(children.required(BASE, 'max-size'), 0, UINT32_MAX),
    ...(multiple ? { maxNodeMultiple: readInteger(multiple, 0, UINT32_MAX) } : {}),
  };
}

function readKindSelector(element: XmlElement): { id: number; name?: string } {
  const name = element.attributes.get('name')?.trim();
  const id = element.attributes.get('id')?.trim();
  if (name !== undefined && id !== undefined)
    throw documentError('INVALID_VALUE', '<kind> has both name and id');
  if (id !== undefined) return { id: parseInteger(id, 0, UINT32_MAX, 'kind id') };
  if (name === undefined) throw documentError('MISSING_ELEMENT', '<kind> has neither a name nor an id');
  const registered = registeredKindByName(name);
  if (!registered)
    throw documentError('UNSUPPORTED_FEATURE', `kind ${JSON.stringify(name.slice(0, 60))} is unknown`);
  return { id: registered.id, name: registered.name };
}
