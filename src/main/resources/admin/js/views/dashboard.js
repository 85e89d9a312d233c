// The live dashboard: `GET /api/statistics/stream` (ADMIN) read with the Bearer token, one row per active
// policy, and the issue rate of each as a chart of the last minute that moves every second.
import uPlot from '../../vendor/uplot/1.6.30/dist/uPlot.esm.js';
import { api } from '../api.js';
import { cell, formatNumber, h, heading, replace } from '../dom.js';
import { errorNotice } from '../errors.js';
import { readEventStream } from '../sse.js';

const WINDOW_SECONDS = 60;
// Until a minute has passed the chart spans the time since the page opened (at least this long), not an empty minute.
const MIN_SPAN_SECONDS = 10;
const CHART_HEIGHT = 300;
// The same colours as the .swatch--N classes of console.css, which the table uses as the chart's key.
const COLORS = ['#1b6ac9', '#d9480f', '#2b8a3e', '#ae3ec9', '#c92a2a', '#0b7285', '#e67700', '#5c7cfa'];
// The stream sends one event per active policy for each reading; events arriving closer together than this
// belong to one reading, and a policy missing from a reading is no longer active.
const READING_GAP_MS = 150;
// The stream is quiet while nothing changes, so a policy without an event for longer than a reading interval
// issued nothing since: its rate is 0 until the next event.
const QUIET_AFTER_MS = 1500;
const RECONNECT_DELAYS_MS = [1000, 2000, 5000, 10000];
const FIGURES = [
  { field: 'issued', label: 'Issued' },
  { field: 'remaining', label: 'Remaining' },
  { field: 'reserved', label: 'Reserved' },
  { field: 'used', label: 'Used' },
];

function utcClock(epochSeconds) {
  return new Date(epochSeconds * 1000).toISOString().slice(11, 19);
}

export function dashboardView(ctx) {
  const status = h('p', { className: 'live-status', role: 'status', id: 'live-status' }, 'Connecting…');
  const problem = h('div', { id: 'live-error' });
  const plot = h('div', { className: 'chart__plot', id: 'issue-rate-chart' });
  const tbody = h('tbody', { id: 'live-rows' });
  const empty = h('p', { className: 'empty', id: 'live-empty' },
    'No figures yet: the stream reports the active policies as soon as anything changes.');
  ctx.root.append(
    heading('Live dashboard'),
    h('p', { className: 'lead' }, 'Issued, remaining, reserved and used coupons of every active policy, as the service reports them.'),
    status,
    problem,
    h('section', { className: 'panel', 'aria-labelledby': 'rate-heading' },
      h('figure', { className: 'chart' },
        h('figcaption', { id: 'rate-heading' }, `Coupons issued per second, over the last ${WINDOW_SECONDS} seconds`),
        plot)),
    h('section', { className: 'panel', 'aria-labelledby': 'figures-heading' },
      h('h2', { id: 'figures-heading' }, 'Active policies'),
      h('div', { className: 'table-wrap' },
        h('table', {},
          h('thead', {}, h('tr', {},
            h('th', { scope: 'col' }, 'Policy'),
            FIGURES.map(f => h('th', { scope: 'col', className: 'num' }, f.label)),
            h('th', { scope: 'col', className: 'num' }, 'Issued / s'))),
          tbody)),
      empty));

  const policies = new Map(); // policyId → {stats, receivedAt, row, cells}
  const names = new Map();
  const samples = []; // {t, rates: Map<policyId, number>}
  let reading = new Map();
  let readingTimer = null;
  let chart = null;
  let chartSeries = '';
  const openedAt = Date.now() / 1000;
  let windowEnd = openedAt;
  const aborter = new AbortController();

  const rateOf = (entry, now) => (now - entry.receivedAt > QUIET_AFTER_MS ? 0 : entry.stats.issuedPerSecond);
  const label = id => (names.get(id) ? `#${id} ${names.get(id)}` : `#${id}`);

  function closeReading() {
    readingTimer = null;
    const now = Date.now();
    for (const [id, entry] of policies) {
      if (!reading.has(id)) {
        entry.row.remove();
        policies.delete(id);
      }
    }
    for (const [id, stats] of reading) {
      const entry = policies.get(id) ?? addRow(id);
      entry.stats = stats;
      entry.receivedAt = now;
      FIGURES.forEach(f => {
        entry.cells[f.field].textContent = f.field === 'remaining' && stats.remaining === null
          ? 'unlimited' : formatNumber(stats[f.field]);
      });
      entry.cells.rate.textContent = formatNumber(stats.issuedPerSecond);
    }
    reading = new Map();
    empty.hidden = policies.size > 0;
    sortRows();
  }

  function addRow(id) {
    const swatch = h('span', { className: 'swatch', 'aria-hidden': 'true' });
    const link = h('a', { href: `#/policies/${id}` }, label(id));
    const cells = { rate: cell('', true) };
    FIGURES.forEach(f => {
      cells[f.field] = cell('', true);
      cells[f.field].dataset.field = f.field;
    });
    cells.rate.dataset.field = 'issuedPerSecond';
    const row = h('tr', { 'data-policy-id': id }, h('th', { scope: 'row' }, swatch, link),
      FIGURES.map(f => cells[f.field]), cells.rate);
    const entry = { row, cells, swatch, link };
    policies.set(id, entry);
    loadName(id, entry);
    return entry;
  }

  async function loadName(id, entry) {
    try {
      const policy = await api(`/api/coupon-policies/${id}`, { signal: aborter.signal });
      names.set(id, policy.couponName);
      entry.link.textContent = label(id);
      chartSeries = ''; // labels changed: the next tick rebuilds the chart
    } catch {
      // The id stays as the label; the table row still carries the figures.
    }
  }

  function sortRows() {
    const rows = [...policies.keys()].sort((a, b) => b - a).map(id => policies.get(id));
    // Rows are moved only when the set of policies changed: moving a row would take keyboard focus off its link.
    if (rows.some((entry, index) => tbody.children[index] !== entry.row)) {
      rows.forEach((entry, index) => {
        entry.swatch.className = `swatch swatch--${index % COLORS.length}`;
        tbody.append(entry.row);
      });
    }
  }

  function tick() {
    const now = Date.now();
    const rates = new Map();
    for (const [id, entry] of policies) {
      const rate = rateOf(entry, now);
      rates.set(id, rate);
      entry.cells.rate.textContent = formatNumber(rate);
    }
    windowEnd = now / 1000;
    samples.push({ t: windowEnd, rates });
    while (samples.length > 0 && samples[0].t < windowEnd - WINDOW_SECONDS) {
      samples.shift();
    }
    drawChart();
  }

  function drawChart() {
    const ids = [...policies.keys()].sort((a, b) => b - a);
    const series = ids.map(label).join('|');
    if (series !== chartSeries || chart === null) {
      chart?.destroy();
      chart = new uPlot({
        width: Math.max(plot.clientWidth, 300),
        height: CHART_HEIGHT,
        scales: {
          x: {
            time: true,
            range: () => [Math.max(windowEnd - WINDOW_SECONDS, Math.min(openedAt, windowEnd - MIN_SPAN_SECONDS)), windowEnd],
          },
          y: { range: (u, min, max) => [0, Math.max(5, Math.ceil((max ?? 0) * 1.2))] },
        },
        axes: [
          // Whole seconds in UTC, like every time the console shows.
          { incrs: [1, 2, 5, 10, 15, 30, 60], values: (u, splits) => splits.map(utcClock), label: 'UTC' },
          { label: 'coupons / s' },
        ],
        // The key names the lines; the figures are in the table below, so the legend does not follow the cursor.
        legend: { live: false },
        series: [{ label: 'Time' }, ...ids.map((id, index) => ({
          label: label(id),
          stroke: COLORS[index % COLORS.length],
          width: 2,
          points: { show: false },
        }))],
      }, [[]], plot);
      chartSeries = series;
    }
    chart.setData([samples.map(s => s.t), ...ids.map(id => samples.map(s => s.rates.get(id) ?? null))]);
  }

  const resize = new ResizeObserver(() => chart?.setSize({ width: Math.max(plot.clientWidth, 300), height: CHART_HEIGHT }));
  resize.observe(plot);
  const ticker = setInterval(tick, 1000);
  tick();

  function onEvent(event) {
    if (event.type !== 'stats') {
      return;
    }
    const stats = JSON.parse(event.data);
    reading.set(stats.policyId, stats);
    if (readingTimer === null) {
      readingTimer = setTimeout(closeReading, READING_GAP_MS);
    }
  }

  async function follow() {
    let attempt = 0;
    while (!aborter.signal.aborted) {
      try {
        await readEventStream('/api/statistics/stream', {
          signal: aborter.signal,
          onEvent,
          onOpen: () => {
            attempt = 0;
            replace(problem);
            status.className = 'live-status live-status--live';
            status.textContent = 'Live: figures update as they change';
          },
        });
      } catch (error) {
        if (aborter.signal.aborted) {
          return;
        }
        if (error.status === 401 || error.status === 403) {
          status.className = 'live-status live-status--down';
          status.textContent = 'Not connected';
          replace(problem, errorNotice(error, 'The live stream was refused'));
          return;
        }
        replace(problem, errorNotice(error, 'The live stream failed'));
      }
      const delay = RECONNECT_DELAYS_MS[Math.min(attempt, RECONNECT_DELAYS_MS.length - 1)];
      attempt += 1;
      status.className = 'live-status live-status--down';
      status.textContent = `Disconnected: reconnecting in ${delay / 1000} s`;
      await new Promise(resolve => setTimeout(resolve, delay));
    }
  }

  ctx.onDispose(() => {
    aborter.abort();
    clearInterval(ticker);
    clearTimeout(readingTimer);
    resize.disconnect();
    chart?.destroy();
  });
  follow();
}
