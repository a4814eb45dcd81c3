// The enrollment server's durable state (the EnrollmentStore contract of @p2psip/ca) on memory,
// lmdb and MongoDB. The shared conformance suite needs Jest's globals, so it has its own entry,
// `testing.ts`, which production code never imports.
export * from './enrollment';
