// Element building without innerHTML: text from the API is always inserted as text, never parsed as markup.

/** An element with attributes (`on…` functions become listeners) and children (nodes, strings, arrays, null). */
export function h(tag, attributes = {}, ...children) {
  const element = document.createElement(tag);
  for (const [name, value] of Object.entries(attributes)) {
    if (value === null || value === undefined || value === false) {
      continue;
    }
    if (name.startsWith('on') && typeof value === 'function') {
      element.addEventListener(name.slice(2), value);
    } else if (name === 'className') {
      element.className = value;
    } else {
      element.setAttribute(name, value === true ? '' : String(value));
    }
  }
  append(element, children);
  return element;
}

export function append(element, children) {
  for (const child of [children].flat(Infinity)) {
    if (child !== null && child !== undefined && child !== false) {
      element.append(child instanceof Node ? child : String(child));
    }
  }
  return element;
}

/** Replaces every child of `element`. */
export function replace(element, ...children) {
  element.replaceChildren();
  return append(element, children);
}

/** The page's heading; focusable so that a change of page moves keyboard and screen-reader focus to it. */
export function heading(text) {
  return h('h1', { tabindex: '-1' }, text);
}

/** A table in a horizontally scrolling frame (tablet widths); `columns` are {label, numeric}. */
export function table(caption, columns, rows) {
  return h('div', { className: 'table-wrap' },
    h('table', {},
      caption ? h('caption', {}, caption) : null,
      h('thead', {}, h('tr', {}, columns.map(c => h('th', { scope: 'col', className: c.numeric ? 'num' : null }, c.label)))),
      h('tbody', {}, rows)));
}

export function cell(value, numeric = false) {
  return h('td', { className: numeric ? 'num' : null }, value);
}

/** A status line for outcomes of actions, announced politely by screen readers. */
export function statusRegion() {
  return h('div', { role: 'status', 'aria-live': 'polite', className: 'status-region' });
}

export function okNotice(text) {
  return h('p', { className: 'notice notice--ok' }, text);
}

const numberFormat = new Intl.NumberFormat('en-US', { maximumFractionDigits: 2 });

export function formatNumber(value) {
  return value === null || value === undefined ? '—' : numberFormat.format(value);
}

/** ISO-8601 UTC as the API sends it, shortened for tables ("2026-01-31 23:59:59Z"). */
export function formatTime(iso) {
  return iso ? iso.replace('T', ' ') : '—';
}
