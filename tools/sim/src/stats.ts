/** Summary of a sample: what the report prints. */
export interface Summary {
  readonly count: number;
  readonly mean: number;
  readonly p50: number;
  readonly p99: number;
  readonly max: number;
}

/** A growable list of numbers with mean and percentiles (nearest rank). */
export class Samples {
  private values = new Float64Array(1024);
  private n = 0;
  private sum = 0;

  add(x: number): void {
    if (this.n === this.values.length) {
      const grown = new Float64Array(this.values.length * 2);
      grown.set(this.values);
      this.values = grown;
    }
    this.values[this.n++] = x;
    this.sum += x;
  }

  get count(): number {
    return this.n;
  }

  get mean(): number {
    return this.n === 0 ? NaN : this.sum / this.n;
  }

  summary(): Summary {
    if (this.n === 0) return { count: 0, mean: NaN, p50: NaN, p99: NaN, max: NaN };
    const sorted = this.values.slice(0, this.n).sort();
    return {
      count: this.n,
      mean: this.sum / this.n,
      p50: percentileOfSorted(sorted, 0.5),
      p99: percentileOfSorted(sorted, 0.99),
      max: sorted[this.n - 1],
    };
  }
}

/** Nearest-rank percentile (q in [0, 1]) of an ascending array. */
export function percentileOfSorted(sorted: ArrayLike<number>, q: number): number {
  if (sorted.length === 0) return NaN;
  const rank = Math.ceil(q * sorted.length);
  return sorted[Math.min(sorted.length - 1, Math.max(0, rank - 1))];
}

/** A fraction as a ratio of counts; NaN when nothing was counted. */
export function ratio(part: number, whole: number): number {
  return whole === 0 ? NaN : part / whole;
}

/** Rounds for the JSON result: reports stay readable and diffs stable. */
export function round(x: number, digits = 4): number {
  if (!Number.isFinite(x)) return x;
  const f = 10 ** digits;
  return Math.round(x * f) / f;
}
