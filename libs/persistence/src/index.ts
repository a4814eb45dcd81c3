// Durable state on memory, lmdb and MongoDB: the enrollment server's (the EnrollmentStore contract
// of @p2psip/ca) and the values a peer holds (the ValueStore contract of @p2psip/storage). The
// shared conformance suites need Jest's globals, so they have their own entry, `testing.ts`, which
// production code never imports.
export * from './enrollment';
export * from './storage';
