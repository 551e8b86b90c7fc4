import { html } from './html.js';
import type { Html } from './html.js';

/** One stacked layer of bars: a value per bucket (null: no data), drawn in `className`'s colour. */
export interface BarSeries {
  readonly label: string;
  readonly className: string;
  readonly values: readonly (number | null)[];
}

export interface BarChartInput {
  readonly title: string;
  /** Layers stacked bottom to top. */
  readonly stacked: readonly BarSeries[];
  /** Drawn as a tick over each bar, not stacked (e.g. a maximum over a median). */
  readonly marks?: BarSeries;
  readonly formatValue: (value: number) => string;
  /** Labels under the first and last bucket. */
  readonly startLabel: string;
  readonly endLabel: string;
}

const width = 600;
const height = 140;
const top = 16;
const left = 48;
const bottom = 18;

/**
 * A bar chart as inline SVG, drawn on the server: no script, no library, no build, and the same
 * escaping as the rest of the page. Each bar has a `<title>` with its values for hovering.
 */
export function barChart(input: BarChartInput): Html {
  const n = Math.max(1, input.stacked[0]?.values.length ?? 1);
  const totals = Array.from({ length: n }, (_, i) => input.stacked.reduce((sum, s) => sum + (s.values[i] ?? 0), 0));
  const peak = Math.max(1, ...totals, ...(input.marks?.values.map((v) => v ?? 0) ?? []));
  const plot = height - top - bottom;
  const step = (width - left) / n;
  const y = (v: number): number => top + plot - (v / peak) * plot;
  const bars: Html[] = [];
  for (let i = 0; i < n; i++) {
    let base = 0;
    const x = (left + i * step + 1).toFixed(1);
    const w = Math.max(1, step - 2).toFixed(1);
    for (const series of input.stacked) {
      const v = series.values[i] ?? 0;
      if (v <= 0) continue;
      bars.push(html`<rect class="${series.className}" x="${x}" y="${y(base + v).toFixed(1)}" width="${w}" height="${(y(base) - y(base + v)).toFixed(1)}"><title>${series.label}: ${input.formatValue(v)}</title></rect>`);
      base += v;
    }
    const mark = input.marks?.values[i];
    if (input.marks !== undefined && mark !== undefined && mark !== null) {
      bars.push(html`<rect class="${input.marks.className}" x="${x}" y="${(y(mark) - 1).toFixed(1)}" width="${w}" height="2"><title>${input.marks.label}: ${input.formatValue(mark)}</title></rect>`);
    }
  }
  const legend = [...input.stacked, ...(input.marks === undefined ? [] : [input.marks])];
  return html`<figure class="chart"><figcaption>${input.title} ${legend.map((s) => html`<span class="key ${s.className}">${s.label}</span>`)}</figcaption>
<svg viewBox="0 0 ${width} ${height}" role="img" aria-label="${input.title}">
<text x="${left - 4}" y="${top + 4}" text-anchor="end">${input.formatValue(peak)}</text>
<text x="${left - 4}" y="${top + plot}" text-anchor="end">0</text>
<line class="axis" x1="${left}" y1="${top + plot}" x2="${width}" y2="${top + plot}"/>
${bars}
<text x="${left}" y="${height - 4}">${input.startLabel}</text>
<text x="${width}" y="${height - 4}" text-anchor="end">${input.endLabel}</text>
</svg></figure>`;
}
