/** One point of a chart series. */
export interface PlotRow {
  readonly x: number;
  readonly y: number;
  readonly series: string;
}

export interface ChartInit {
  readonly title: string;
  readonly xTitle: string;
  readonly yTitle: string;
  readonly xScale?: 'linear' | 'log';
  readonly yZero?: boolean;
  readonly rows: readonly PlotRow[];
}

/** A Vega spec (https://vega.github.io/vega/docs/specification/): lines with points, a series per colour. */
export function lineChartSpec(init: ChartInit): object {
  return {
    $schema: 'https://vega.github.io/schema/vega/v6.json',
    width: 520,
    height: 300,
    padding: 8,
    background: 'white',
    title: { text: init.title, fontSize: 14 },
    data: [{ name: 'rows', values: init.rows }],
    scales: [
      {
        name: 'x',
        type: init.xScale ?? 'linear',
        domain: { data: 'rows', field: 'x' },
        range: 'width',
        nice: true,
        zero: false,
      },
      {
        name: 'y',
        type: 'linear',
        domain: { data: 'rows', field: 'y' },
        range: 'height',
        nice: true,
        zero: init.yZero ?? true,
      },
      { name: 'colour', type: 'ordinal', domain: { data: 'rows', field: 'series' }, range: 'category' },
    ],
    axes: [
      { orient: 'bottom', scale: 'x', title: init.xTitle, grid: true },
      { orient: 'left', scale: 'y', title: init.yTitle, grid: true },
    ],
    legends: [{ fill: 'colour', stroke: 'colour', orient: 'bottom-right', title: null }],
    marks: [
      {
        type: 'group',
        from: { facet: { name: 'series', data: 'rows', groupby: 'series' } },
        marks: [
          {
            type: 'line',
            from: { data: 'series' },
            sort: { field: 'datum.x' },
            encode: {
              enter: {
                x: { scale: 'x', field: 'x' },
                y: { scale: 'y', field: 'y' },
                stroke: { scale: 'colour', field: 'series' },
                strokeWidth: { value: 2 },
              },
            },
          },
          {
            type: 'symbol',
            from: { data: 'series' },
            encode: {
              enter: {
                x: { scale: 'x', field: 'x' },
                y: { scale: 'y', field: 'y' },
                fill: { scale: 'colour', field: 'series' },
                size: { value: 50 },
                tooltip: { signal: "datum.series + ': ' + format(datum.y, '.3~f')" },
              },
            },
          },
        ],
      },
    ],
  };
}

interface VegaModule {
  parse(spec: object): unknown;
  View: new (runtime: unknown, options: { renderer: 'none' }) => { toSVG(): Promise<string> };
}

/**
 * Renders a Vega spec to SVG headless (no canvas, no browser). Vega is ESM with top-level await,
 * so it is loaded with import() rather than bundled.
 */
export async function renderSvg(spec: object): Promise<string> {
  const vega = (await import('vega')) as unknown as VegaModule;
  return new vega.View(vega.parse(spec), { renderer: 'none' }).toSVG();
}
