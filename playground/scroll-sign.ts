/**
 * A visible sign that a table scrolls sideways inside its box: a shade at the edge where more
 * columns are, and a line of text under the box. `box` holds the scrolling element.
 */
const watched = new WeakSet<HTMLElement>();

export function watchScroll(box: HTMLElement): void {
  if (watched.has(box)) return;
  watched.add(box);
  const scroller = box.firstElementChild as HTMLElement;
  const update = () => {
    const overflowing = scroller.scrollWidth > scroller.clientWidth + 1;
    box.classList.toggle('overflowing', overflowing);
    box.classList.toggle('more-left', overflowing && scroller.scrollLeft > 1);
    box.classList.toggle('more-right', overflowing && scroller.scrollLeft + scroller.clientWidth < scroller.scrollWidth - 1);
  };
  scroller.addEventListener('scroll', update, { passive: true });
  const observer = new ResizeObserver(update);
  observer.observe(scroller);
  if (scroller.firstElementChild) observer.observe(scroller.firstElementChild);
  update();
}
