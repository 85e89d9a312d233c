// Cursor paging over the API's `{…, nextCursor, hasMore}` pages: the cursors of the pages before this one are
// kept, so "Newer" goes back without the API having to page backwards.
import { h } from './dom.js';

export class CursorPager {
  constructor(render) {
    this.render = render;
    this.cursors = [null];
    this.lastMove = null;
  }

  get cursor() {
    return this.cursors[this.cursors.length - 1];
  }

  reset() {
    this.cursors = [null];
    this.lastMove = null;
  }

  /** "Newer" / "Older" buttons for `page`; after a move, focus stays on the button that was used. */
  controls(label, page) {
    const move = (direction, change) => () => {
      change();
      this.lastMove = direction;
      this.render();
    };
    const newer = h('button', {
      type: 'button', className: 'button button--secondary', 'data-page': 'newer', disabled: this.cursors.length === 1,
      onclick: move('newer', () => this.cursors.pop()),
    }, 'Newer');
    const older = h('button', {
      type: 'button', className: 'button button--secondary', 'data-page': 'older', disabled: !page.hasMore,
      onclick: move('older', () => this.cursors.push(page.nextCursor)),
    }, 'Older');
    if (this.lastMove) {
      const preferred = this.lastMove === 'older' ? older : newer;
      queueMicrotask(() => (preferred.disabled ? (preferred === older ? newer : older) : preferred).focus());
      this.lastMove = null;
    }
    return h('nav', { className: 'pager', 'aria-label': label }, newer, h('span', {}, `Page ${this.cursors.length}`), older);
  }
}
