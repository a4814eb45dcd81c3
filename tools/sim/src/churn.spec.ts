import { SeededRandom } from '@p2psip/overlay/testing';
import { gamma, sampleDowntime, sessionDistribution } from './churn';

function sampleMean(draw: () => number, n = 50_000): { mean: number; median: number } {
  const xs = Array.from({ length: n }, draw).sort((a, b) => a - b);
  return { mean: xs.reduce((a, b) => a + b, 0) / n, median: xs[n >> 1] };
}

describe('churn — session distributions', () => {
  it('computes Γ for the Weibull mean', () => {
    expect(gamma(1)).toBeCloseTo(1, 10);
    expect(gamma(5)).toBeCloseTo(24, 8);
    expect(gamma(0.5)).toBeCloseTo(Math.sqrt(Math.PI), 10);
    expect(gamma(3)).toBeCloseTo(2, 10);
  });

  it('draws exponential sessions with the given mean, or the given median', () => {
    const random = new SeededRandom(1);
    const byMean = sessionDistribution({ model: 'exponential', sessionMeanMs: 600_000 });
    expect(sampleMean(() => byMean.sample(random)).mean / 600_000).toBeCloseTo(1, 1);
    const byMedian = sessionDistribution({ model: 'exponential', sessionMedianMs: 84_000 });
    expect(byMedian.meanMs).toBeCloseTo(84_000 / Math.LN2, 6);
    expect(sampleMean(() => byMedian.sample(random)).median / 84_000).toBeCloseTo(1, 1);
  });

  it.each([
    ['weibull', 0.5],
    ['weibull', 2],
    ['pareto', 2.5],
  ] as const)('solves %s (shape %s) parameters from the mean and from the median', (model, shape) => {
    const random = new SeededRandom(7);
    const byMean = sessionDistribution({ model, sessionMeanMs: 1000, shape });
    expect(byMean.meanMs).toBeCloseTo(1000, 6);
    const byMedian = sessionDistribution({ model, sessionMedianMs: 1000, shape });
    expect(byMedian.medianMs).toBeCloseTo(1000, 6);
    expect(sampleMean(() => byMedian.sample(random)).median / 1000).toBeCloseTo(1, 1);
  });

  it('has no sessions end without churn, and refuses unusable parameters', () => {
    expect(sessionDistribution({ model: 'none' }).sample(new SeededRandom(1))).toBe(Infinity);
    expect(() => sessionDistribution({ model: 'exponential' })).toThrow(RangeError);
    expect(() => sessionDistribution({ model: 'pareto', sessionMeanMs: 1, shape: 1 })).toThrow(RangeError);
    expect(() => sessionDistribution({ model: 'weibull', sessionMeanMs: 1, sessionMedianMs: 1 })).toThrow(
      RangeError,
    );
  });

  it('draws exponential downtimes, and none for a mean of 0', () => {
    const random = new SeededRandom(3);
    expect(sampleDowntime(0, random)).toBe(0);
    expect(sampleMean(() => sampleDowntime(5000, random)).mean / 5000).toBeCloseTo(1, 1);
  });
});
