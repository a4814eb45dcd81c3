import type { SeededRandom } from '@p2psip/overlay/testing';

/** How long a node stays in the overlay once it joined (its session), or how long it stays away. */
export type ChurnModelName = 'none' | 'exponential' | 'weibull' | 'pareto';

export interface ChurnInit {
  readonly model: ChurnModelName;
  /** Mean session time, ms. Give this or `sessionMedianMs`. */
  readonly sessionMeanMs?: number;
  /** Median session time, ms (Bamboo's churn figures are medians). */
  readonly sessionMedianMs?: number;
  /** Weibull shape k or Pareto shape α (α > 1 for a finite mean). @default 0.5 (Weibull), 2 (Pareto) */
  readonly shape?: number;
}

/** A session-time distribution with its parameters solved from the mean or median. */
export interface SessionDistribution {
  readonly model: ChurnModelName;
  readonly meanMs: number;
  readonly medianMs: number;
  /** One session time, ms; Infinity without churn. */
  sample(random: SeededRandom): number;
}

const NO_CHURN: SessionDistribution = {
  model: 'none',
  meanMs: Infinity,
  medianMs: Infinity,
  sample: () => Infinity,
};

/**
 * Session times as in OverSim's lifetime churn: exponential (memoryless, the Bamboo and most DHT
 * papers' model), Weibull and Pareto (heavy-tailed, as measured in deployed P2P systems).
 */
export function sessionDistribution(init: ChurnInit): SessionDistribution {
  if (init.model === 'none') return NO_CHURN;
  const { sessionMeanMs: mean, sessionMedianMs: median } = init;
  if ((mean === undefined) === (median === undefined)) {
    throw new RangeError('churn needs exactly one of session mean and session median');
  }
  const given = (mean ?? median) as number;
  if (!(given > 0) || !Number.isFinite(given)) throw new RangeError('session time must be > 0 ms');
  switch (init.model) {
    case 'exponential': {
      const m = mean ?? (median as number) / Math.LN2;
      return {
        model: 'exponential',
        meanMs: m,
        medianMs: m * Math.LN2,
        sample: (r) => -m * Math.log(unit(r)),
      };
    }
    case 'weibull': {
      const k = init.shape ?? 0.5;
      if (!(k > 0)) throw new RangeError('Weibull shape must be > 0');
      // mean = λ·Γ(1 + 1/k), median = λ·(ln 2)^(1/k)
      const scale = mean !== undefined ? mean / gamma(1 + 1 / k) : (median as number) / Math.LN2 ** (1 / k);
      return {
        model: 'weibull',
        meanMs: scale * gamma(1 + 1 / k),
        medianMs: scale * Math.LN2 ** (1 / k),
        sample: (r) => scale * (-Math.log(unit(r))) ** (1 / k),
      };
    }
    case 'pareto': {
      const a = init.shape ?? 2;
      if (!(a > 1)) throw new RangeError('Pareto shape must be > 1 (finite mean)');
      // Pareto with minimum x_m: mean = α·x_m/(α − 1), median = x_m·2^(1/α)
      const xm = mean !== undefined ? (mean * (a - 1)) / a : (median as number) / 2 ** (1 / a);
      return {
        model: 'pareto',
        meanMs: (a * xm) / (a - 1),
        medianMs: xm * 2 ** (1 / a),
        sample: (r) => xm * unit(r) ** (-1 / a),
      };
    }
    default:
      throw new RangeError(`unknown churn model ${String(init.model)}`);
  }
}

/** Exponential downtime before a departed node's replacement joins; 0 = at once. */
export function sampleDowntime(meanMs: number, random: SeededRandom): number {
  return meanMs > 0 ? -meanMs * Math.log(unit(random)) : 0;
}

/** A uniform number in (0, 1]: never 0, so that logarithms and negative powers stay finite. */
function unit(random: SeededRandom): number {
  return 1 - random.next();
}

/** Γ(x) for x > 0 (Lanczos, g = 7): enough precision for distribution parameters. */
export function gamma(x: number): number {
  if (x < 0.5) return Math.PI / (Math.sin(Math.PI * x) * gamma(1 - x));
  const c = [
    0.99999999999980993, 676.5203681218851, -1259.1392167224028, 771.32342877765313, -176.61502916214059,
    12.507343278686905, -0.13857109526572012, 9.9843695780195716e-6, 1.5056327351493116e-7,
  ];
  const y = x - 1;
  let sum = c[0];
  for (let i = 1; i < 9; i++) sum += c[i] / (y + i);
  const t = y + 7.5;
  return Math.sqrt(2 * Math.PI) * t ** (y + 0.5) * Math.exp(-t) * sum;
}
