// Test-only entry: the conformance suites every EnrollmentStore and ValueStore adapter must pass.
// They call Jest's `describe`/`it`, so they must stay out of index.ts, which production code loads.
export {
  type ConformanceOptions,
  type EnrollmentStoreFixture,
  describeEnrollmentStoreConformance,
} from './enrollment/conformance';
export {
  type ValueStoreConformanceOptions,
  type ValueStoreFixture,
  describeValueStoreConformance,
} from './storage/conformance';
