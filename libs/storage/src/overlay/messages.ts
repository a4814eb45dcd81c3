import type { ResourceId } from '@p2psip/identity';
import type { StoredDataSpecifier } from '../model';
import type {
  FetchKindResult,
  FindKindResult,
  StatKindResult,
  StoreKindData,
  StoreKindResult,
} from '../operations';

// Bodies of the storage methods (RFC 6940 §7.4) as the overlay core carries them; they mirror
// p2psip/overlay/v1/storage.proto, and overlay-grpc's storage mappers translate them.

/** replica_number 0: a user's original store; 1…: a copy between peers (replica or hand-off). */
export interface StoreRequest {
  readonly type: 'store_req';
  readonly resourceId: ResourceId;
  readonly replicaNumber: number;
  readonly kindData: readonly StoreKindData[];
}

export interface StoreAnswer {
  readonly type: 'store_ans';
  readonly kindResponses: readonly StoreKindResult[];
}

export interface FetchRequest {
  readonly type: 'fetch_req';
  readonly resourceId: ResourceId;
  readonly specifiers: readonly StoredDataSpecifier[];
}

export interface FetchAnswer {
  readonly type: 'fetch_ans';
  readonly kindResponses: readonly FetchKindResult[];
}

export interface StatRequest {
  readonly type: 'stat_req';
  readonly resourceId: ResourceId;
  readonly specifiers: readonly StoredDataSpecifier[];
}

export interface StatAnswer {
  readonly type: 'stat_ans';
  readonly kindResponses: readonly StatKindResult[];
}

export interface FindRequest {
  readonly type: 'find_req';
  readonly resourceId: ResourceId;
  readonly kinds: readonly number[];
}

export interface FindAnswer {
  readonly type: 'find_ans';
  readonly results: readonly FindKindResult[];
}

export type StorageRequestBody = StoreRequest | FetchRequest | StatRequest | FindRequest;
export type StorageAnswerBody = StoreAnswer | FetchAnswer | StatAnswer | FindAnswer;
