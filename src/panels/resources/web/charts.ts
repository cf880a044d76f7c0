/**
 * One container's time series as uPlot charts: memory, CPU, pids and io against their limits, and PSI.
 * Colours are the theme's (--vscode-charts-*), read with getComputedStyle because a canvas cannot use CSS
 * variables; a theme change rebuilds the charts. OOM kills are vertical marks on every chart.
 */
import uPlot from 'uplot';
import { formatBytes } from '../../../../server/units';
import type { ContainerSeries } from '../../../model/resources/resourceSamples';
import { el } from '../../web/dom';

type Unit = 'bytes' | 'bytesPerSec' | 'cores' | 'count' | 'percent';

interface Line {
  label: string;
  values: (number | null)[];
  /** A --vscode-charts-* colour name (blue, red, …). */
  colour: string;
  dash?: boolean;
}

export interface ChartSpec {
  key: string;
  title: string;
  unit: Unit;
  lines: Line[];
}

export function formatValue(v: number | null | undefined, unit: Unit): string {
  if (v === null || v === undefined || Number.isNaN(v)) return 'unknown';
  switch (unit) {
    case 'bytes':
      return formatBytes(Math.round(v));
    case 'bytesPerSec':
      return `${formatBytes(Math.round(v))}/s`;
    case 'cores':
      return `${v < 0.1 ? v.toFixed(3) : v.toFixed(2)} CPU`;
    case 'percent':
      return `${v.toFixed(1)}%`;
    default:
      return String(Math.round(v));
  }
}

/** The charts for one container; a limit line only where a limit is set. */
export function chartSpecs(s: ContainerSeries): ChartSpec[] {
  const limited = (values: (number | null)[]) => values.some((v) => v !== null);
  const limit = (values: (number | null)[]): Line[] => (limited(values) ? [{ label: 'limit', values, colour: 'red', dash: true }] : []);
  return [
    {
      key: 'memory',
      title: 'Memory',
      unit: 'bytes',
      lines: [{ label: 'usage', values: s.memoryBytes, colour: 'blue' }, ...limit(s.memoryLimit)],
    },
    { key: 'cpu', title: 'CPU', unit: 'cores', lines: [{ label: 'used', values: s.cpuCores, colour: 'green' }, ...limit(s.cpuLimitCores)] },
    {
      key: 'pids',
      title: 'Tasks (pids)',
      unit: 'count',
      lines: [{ label: 'tasks', values: s.pids, colour: 'purple' }, ...limit(s.pidsMax)],
    },
    {
      key: 'io',
      title: 'I/O',
      unit: 'bytesPerSec',
      lines: [
        { label: 'read', values: s.ioReadPerSec, colour: 'blue' },
        { label: 'write', values: s.ioWritePerSec, colour: 'orange' },
      ],
    },
    {
      key: 'pressure',
      title: 'Pressure (PSI avg10)',
      unit: 'percent',
      lines: [
        { label: 'cpu some', values: s.pressure.cpuSome, colour: 'green' },
        { label: 'memory some', values: s.pressure.memorySome, colour: 'blue' },
        { label: 'memory full', values: s.pressure.memoryFull, colour: 'blue', dash: true },
        { label: 'io some', values: s.pressure.ioSome, colour: 'orange' },
        { label: 'io full', values: s.pressure.ioFull, colour: 'orange', dash: true },
      ],
    },
  ];
}

function themeColour(name: string, fallback: string): string {
  return getComputedStyle(document.body).getPropertyValue(name).trim() || fallback;
}

/** Whether this page can draw on a canvas (a DOM without one, as in tests, gets the figures as text only). */
function canDraw(): boolean {
  try {
    return !!document.createElement('canvas').getContext('2d');
  } catch {
    return false;
  }
}

const CHART_HEIGHT = 150;

/** Tick steps a person reads at a glance: binary for bytes (16 MiB, not 47.7 MiB), whole numbers for counts. */
function increments(unit: Unit): number[] | undefined {
  const steps = [1, 2, 4, 8, 16, 32, 64, 128, 256, 512];
  if (unit === 'bytes' || unit === 'bytesPerSec') return [0, 1, 2, 3, 4].flatMap((k) => steps.map((m) => m * 1024 ** k));
  if (unit === 'count') return [1, 2, 5, 10, 20, 50, 100, 200, 500, 1000, 2000, 5000, 10000, 20000, 50000, 100000];
  return undefined;
}

/** A chart with nothing known in it says why instead of drawing empty axes. */
function unknownNote(spec: ChartSpec): string | null {
  if (spec.lines.some((l) => l.values.some((v) => v !== null))) return null;
  if (spec.key === 'io') return 'Unknown: a cgroup v1 keeps no byte counts without a throttle rule on a device.';
  if (spec.key === 'pressure') return 'No PSI files for this cgroup.';
  return 'Unknown for this container.';
}

/** What is not drawn but said: how many samples, the latest value of each line, the OOM kills. */
function legend(spec: ChartSpec, oom: ContainerSeries['oomKills']): HTMLElement {
  const items = spec.lines.map((l) => {
    const last = [...l.values].reverse().find((v) => v !== null) ?? null;
    return el(
      'span',
      { class: `legend-item${l.dash ? ' dash' : ''}`, style: `--line: var(--vscode-charts-${l.colour})` },
      el('span', { class: 'swatch' }),
      `${l.label} ${formatValue(last, spec.unit)}`,
    );
  });
  if (oom.length)
    items.push(
      el('span', { class: 'legend-item oom' }, el('span', { class: 'swatch' }), `OOM kills ${oom.reduce((n, o) => n + o.count, 0)}`),
    );
  return el('div', { class: 'legend' }, ...items);
}

/** The charts of one container, kept to update in place as samples come. */
export class ContainerCharts {
  readonly element = el('div', { class: 'charts' });
  private plots = new Map<string, uPlot>();
  private boxes = new Map<string, HTMLElement>();
  private readonly drawable = canDraw();
  private series: ContainerSeries | null = null;
  private readonly resize: ResizeObserver | null;

  constructor() {
    this.resize =
      typeof ResizeObserver === 'function'
        ? new ResizeObserver(() => {
            for (const [key, u] of this.plots) u.setSize({ width: this.widthOf(key), height: CHART_HEIGHT });
          })
        : null;
    this.resize?.observe(this.element);
  }

  /** Draws `s` (same container: data replaced in place; otherwise rebuilt). */
  show(s: ContainerSeries, rebuild = false): void {
    this.series = s;
    const specs = chartSpecs(s);
    if (rebuild || this.boxes.size !== specs.length) this.build(specs, s);
    for (const spec of specs) {
      const box = this.boxes.get(spec.key)!;
      box.dataset.samples = String(s.t.length);
      box.querySelector('.legend')!.replaceWith(legend(spec, s.oomKills));
      // Known now where it was not when drawn (or the other way): draw again.
      if (!unknownNote(spec) !== this.plots.has(spec.key) && this.drawable) return this.show(s, true);
      const u = this.plots.get(spec.key);
      if (u) {
        // uPlot draws gaps for null; its types ask for number | null | undefined per point.
        u.setData([s.t, ...spec.lines.map((l) => l.values)] as uPlot.AlignedData);
      }
    }
  }

  /** The theme changed: colours are baked into the canvas, so draw again. */
  retheme(): void {
    if (this.series) this.show(this.series, true);
  }

  /** PNG of one chart (for the export), or null where nothing is drawn. */
  png(key: string): string | null {
    const u = this.plots.get(key);
    return u ? u.ctx.canvas.toDataURL('image/png') : null;
  }

  dispose(): void {
    this.resize?.disconnect();
    for (const u of this.plots.values()) u.destroy();
    this.plots.clear();
  }

  private widthOf(key: string): number {
    const box = this.boxes.get(key);
    return Math.max(240, (box?.clientWidth ?? 400) - 2);
  }

  private build(specs: ChartSpec[], s: ContainerSeries): void {
    for (const u of this.plots.values()) u.destroy();
    this.plots.clear();
    this.boxes.clear();
    const boxes = specs.map((spec) => {
      const plot = el('div', { class: 'plot' });
      const box = el(
        'figure',
        { class: 'chart', 'data-chart': spec.key, 'data-samples': String(s.t.length) },
        el('figcaption', {}, spec.title),
        plot,
        legend(spec, s.oomKills),
      );
      this.boxes.set(spec.key, box);
      return { spec, box, plot };
    });
    this.element.replaceChildren(...boxes.map((b) => b.box));
    if (!this.drawable) {
      for (const b of boxes) b.plot.replaceChildren(el('p', { class: 'muted' }, 'Charts need a canvas; the figures are below.'));
      return;
    }
    const fg = themeColour('--vscode-descriptionForeground', '#888');
    const grid = themeColour('--vscode-panel-border', themeColour('--vscode-charts-lines', 'rgba(128,128,128,0.3)'));
    const red = themeColour('--vscode-charts-red', '#f14c4c');
    const font = `11px ${themeColour('--vscode-font-family', 'sans-serif')}`;
    for (const { spec, plot } of boxes) {
      const note = unknownNote(spec);
      if (note) {
        plot.replaceChildren(el('p', { class: 'muted unknown-chart' }, note));
        continue;
      }
      const oom = s.oomKills;
      const opts: uPlot.Options = {
        width: this.widthOf(spec.key),
        height: CHART_HEIGHT,
        legend: { show: false },
        cursor: { y: false, points: { show: false } },
        scales: {
          x: { time: true },
          y: { range: (_u, min, max) => [Math.min(0, min ?? 0), Math.max(max ?? 1, spec.unit === 'percent' ? 1 : 0) * 1.1 || 1] },
        },
        axes: [
          { stroke: fg, grid: { stroke: grid, width: 1 }, ticks: { stroke: grid, width: 1 }, font },
          {
            stroke: fg,
            grid: { stroke: grid, width: 1 },
            ticks: { stroke: grid, width: 1 },
            font,
            size: 80,
            incrs: increments(spec.unit),
            values: (_u, splits) => splits.map((v) => formatValue(v, spec.unit)),
          },
        ],
        series: [
          {},
          ...spec.lines.map((l) => ({
            label: l.label,
            stroke: themeColour(`--vscode-charts-${l.colour}`, '#3794ff'),
            width: 1.5,
            dash: l.dash ? [5, 4] : undefined,
            spanGaps: false,
            points: { show: false },
          })),
        ],
        hooks: {
          // OOM kills: a vertical mark at the sample where the counter went up.
          draw: [
            (u) => {
              if (!oom.length) return;
              const ctx = u.ctx;
              ctx.save();
              ctx.strokeStyle = red;
              ctx.fillStyle = red;
              ctx.lineWidth = 2 * uPlot.pxRatio;
              ctx.font = `${10 * uPlot.pxRatio}px sans-serif`;
              for (const o of oom) {
                const x = Math.round(u.valToPos(o.t, 'x', true));
                ctx.beginPath();
                ctx.moveTo(x, u.bbox.top);
                ctx.lineTo(x, u.bbox.top + u.bbox.height);
                ctx.stroke();
                ctx.fillText(`OOM×${o.count}`, x + 3 * uPlot.pxRatio, u.bbox.top + 10 * uPlot.pxRatio);
              }
              ctx.restore();
            },
          ],
        },
      };
      this.plots.set(spec.key, new uPlot(opts, [s.t, ...spec.lines.map((l) => l.values)] as uPlot.AlignedData, plot));
    }
  }
}
