// p2psip.common.v1 as one namespace: RELOAD error codes, identifiers, signatures, stored data.
export * from './gen/p2psip/common/v1/error_code';
export * from './gen/p2psip/common/v1/types';
