// Clicks on the heat map's cells: MudBlazor's heat map draws them without a click event of its own, so the index of the
// clicked cell (in drawing order) goes to C#, which knows which pair it is (PairHeatMap.CellAt).
const handlers = new WeakMap();

export function attach(container, dotnet) {
  const onClick = event => {
    const cell = event.target instanceof Element ? event.target.closest('.mud-chart-cell') : null;
    if (!cell || !container.contains(cell)) {
      return;
    }
    const index = Array.from(container.querySelectorAll('.mud-chart-cell')).indexOf(cell);
    dotnet.invokeMethodAsync('OnCell', index);
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
