// Clicks on the heat map's cells: MudBlazor's heat map draws them without a click event of its own. The row and the
// column are read from the axis labels nearest the click (their order on screen and their names go to C#, which
// checks them against the people it drew, PairHeatMap.CellAt), so the chart's axis direction is never assumed.
const handlers = new WeakMap();

const centre = el => { const r = el.getBoundingClientRect(); return [r.left + r.width / 2, r.top + r.height / 2]; };

// Axis labels in screen order (top to bottom, or left to right), each with its position on that axis.
const axis = (container, selector, coordinate) => Array.from(container.querySelectorAll(selector))
  .filter(t => !t.closest('.mud-chart-heatmap-legend') && t.textContent.trim() !== 'Less' && t.textContent.trim() !== 'More')
  .map(t => ({ at: centre(t)[coordinate], name: t.textContent.trim() }))
  .sort((a, b) => a.at - b.at);

const nearest = (labels, at) => labels.reduce((best, l, i) => Math.abs(l.at - at) < Math.abs(labels[best].at - at) ? i : best, 0);

export function attach(container, dotnet) {
  const onClick = event => {
    const cell = event.target instanceof Element ? event.target.closest('.mud-chart-cell') : null;
    if (!cell || !container.contains(cell)) {
      return;
    }
    const rows = axis(container, '.mud-charts-yaxis', 1);
    const columns = axis(container, '.mud-charts-xaxis', 0);
    if (rows.length === 0 || columns.length === 0) {
      return;
    }
    const [x, y] = centre(cell);
    dotnet.invokeMethodAsync('OnCell', nearest(rows, y), nearest(columns, x), rows.map(r => r.name), columns.map(c => c.name));
  };
  container.addEventListener('click', onClick);
  handlers.set(container, onClick);
  // Says the cells take clicks now (the module loads after the first render).
  container.dataset.clickable = 'true';
}

export function detach(container) {
  const onClick = handlers.get(container);
  if (onClick) {
    container.removeEventListener('click', onClick);
    handlers.delete(container);
  }
}
