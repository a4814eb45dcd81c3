import { lineChartSpec } from './plots';

describe('plots — chart specs', () => {
  it('puts the rows, axis titles and a log x scale into a Vega spec', () => {
    const rows = [
      { x: 1000, y: 6.1, series: 'mean' },
      { x: 10_000, y: 7.3, series: 'mean' },
    ];
    const spec = lineChartSpec({ title: 'hops', xTitle: 'N', yTitle: 'hops', xScale: 'log', rows }) as {
      data: { values: unknown }[];
      scales: { name: string; type: string }[];
      axes: { title: string }[];
    };
    expect(spec.data[0].values).toEqual(rows);
    expect(spec.scales.find((s) => s.name === 'x')?.type).toBe('log');
    expect(spec.axes.map((a) => a.title)).toEqual(['N', 'hops']);
  });
});
