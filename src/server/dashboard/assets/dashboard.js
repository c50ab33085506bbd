// The dashboard's own script (no build step): form bodies as JSON for htmx, copy buttons, and uPlot
// charts drawn from the JSON the server embeds next to each chart. Loaded after htmx and uPlot.
/* global htmx, uPlot */
(() => {
  // The gateway reads JSON bodies only; forms are sent as a flat JSON object of their fields.
  htmx.defineExtension('json-form', {
    onEvent(name, event) {
      if (name === 'htmx:configRequest') event.detail.headers['Content-Type'] = 'application/json';
    },
    encodeParameters(xhr, parameters) {
      xhr.overrideMimeType('text/json');
      const body = {};
      parameters.forEach((value, key) => {
        body[key] = value;
      });
      return JSON.stringify(body);
    },
  });

  // Forms marked data-reset are cleared after a successful request (e.g. "create user").
  document.addEventListener('htmx:afterRequest', (event) => {
    const form = event.detail.elt;
    if (event.detail.successful && form instanceof HTMLFormElement && form.dataset.reset !== undefined)
      form.reset();
  });

  document.addEventListener('click', (event) => {
    const button = event.target instanceof Element ? event.target.closest('[data-copy]') : null;
    if (!button) return;
    const source = document.getElementById(button.dataset.copy);
    if (!source) return;
    const text = source.textContent ?? '';
    const done = () => {
      button.textContent = 'Copied';
    };
    if (navigator.clipboard && window.isSecureContext) navigator.clipboard.writeText(text).then(done);
    else {
      const range = document.createRange();
      range.selectNodeContents(source);
      const selection = window.getSelection();
      selection?.removeAllRanges();
      selection?.addRange(range);
      if (document.execCommand('copy')) done();
    }
  });

  const PALETTE = ['#2d6cdf', '#e8833a', '#2aa876', '#c43d3d', '#8a63d2'];
  const charts = new Map();
  const cssVar = (name) => getComputedStyle(document.documentElement).getPropertyValue(name).trim();

  // Categories (days, models) sit on whole numbers with half a step of room on each side (uPlot's
  // own range would put a single bar on the left edge).
  function fitCategories(chart) {
    if (chart.category > 0) chart.setScale('x', { min: -0.5, max: chart.category - 0.5 });
  }

  // 24-hour UTC clock times, with the date where a day starts.
  function utcLabel(ts) {
    const iso = new Date(ts * 1000).toISOString();
    const clock = iso.slice(11, 16);
    return clock === '00:00' ? `${iso.slice(5, 10)}\n${clock}` : clock;
  }

  function draw(target) {
    const source = document.getElementById(target.dataset.chart);
    if (!source) return;
    const spec = JSON.parse(source.textContent ?? '{}');
    const muted = cssVar('--muted');
    const line = cssVar('--line');
    const category = spec.xKind === 'category';
    const axis = { stroke: muted, grid: { stroke: line, width: 1 }, ticks: { stroke: line } };
    const options = {
      width: Math.max(280, target.clientWidth),
      height: 220,
      legend: { live: false },
      // Times read in UTC, like every other time on the dashboard.
      tzDate: (ts) => uPlot.tzDate(new Date(ts * 1000), 'Etc/UTC'),
      scales: {
        x: { time: !category },
      },
      axes: [
        category
          ? {
              ...axis,
              splits: () => spec.x,
              values: (_u, splits) => splits.map((i) => spec.categories[i] ?? ''),
            }
          : { ...axis, values: (_u, splits) => splits.map(utcLabel) },
        { ...axis, size: 56 },
      ],
      series: [
        { label: category ? spec.xLabel : 'Time' },
        ...spec.series.map((series, i) => ({
          label: series.label,
          stroke: PALETTE[i % PALETTE.length],
          fill: spec.kind === 'bars' ? `${PALETTE[i % PALETTE.length]}99` : undefined,
          width: 2,
          paths: spec.kind === 'bars' ? uPlot.paths.bars({ size: [0.7, 40] }) : undefined,
          // Sparse series (TTFT in a quiet hour) show their points; a lone value has no line.
          points: {
            show:
              spec.kind !== 'bars' && series.values.filter((v) => v !== null).length * 2 < spec.x.length + 4,
          },
          spanGaps: true,
        })),
      ],
    };
    charts.get(target)?.destroy();
    target.replaceChildren();
    const chart = new uPlot(options, [spec.x, ...spec.series.map((s) => s.values)], target);
    chart.category = category ? spec.x.length : 0;
    fitCategories(chart);
    charts.set(target, chart);
  }

  htmx.onLoad((root) => {
    for (const target of root.querySelectorAll('[data-chart]')) draw(target);
  });
  let resizing;
  window.addEventListener('resize', () => {
    clearTimeout(resizing);
    resizing = setTimeout(() => {
      for (const [target, chart] of charts) {
        if (!target.isConnected) charts.delete(target);
        else {
          chart.setSize({ width: Math.max(280, target.clientWidth), height: 220 });
          fitCategories(chart);
        }
      }
    }, 150);
  });
})();
