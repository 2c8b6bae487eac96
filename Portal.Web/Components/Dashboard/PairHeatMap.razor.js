// Clicks on the heat map's cells: MudBlazor's heat map draws them without a click event of its own, so the index of the
// clicked cell's row and column (from the top left) go to C#, which knows which pair it is (PairHeatMap.CellAt).
const handlers = new WeakMap();

export function attach(container, dotnet) {
  const onClick = event => {
    const cell = event.target instanceof Element ? event.target.closest('.mud-chart-cell') : null;
    if (!cell || !container.contains(cell)) {
      return;
    }
    // The cell's place on the grid, from where the cells are drawn: counting elements would be thrown off by the grey
    // cells drawn over the ones without a figure.
    const place = el => { const r = el.getBoundingClientRect(); return [Math.round(r.left), Math.round(r.top)]; };
    const cells = Array.from(container.querySelectorAll('.mud-chart-cell')).map(place);
    const columns = [...new Set(cells.map(c => c[0]))].sort((a, b) => a - b);
    const rows = [...new Set(cells.map(c => c[1]))].sort((a, b) => a - b);
    const [left, top] = place(cell);
    dotnet.invokeMethodAsync('OnCell', rows.indexOf(top), columns.indexOf(left), rows.length);
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
