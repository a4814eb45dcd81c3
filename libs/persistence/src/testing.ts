// Test-only entry: the conformance suite every EnrollmentStore adapter must pass. It calls Jest's
// `describe`/`it`, so it must stay out of index.ts, which production code loads.
export {
  type ConformanceOptions,
  type EnrollmentStoreFixture,
  describeEnrollmentStoreConformance,
} from './enrollment/conformance';
