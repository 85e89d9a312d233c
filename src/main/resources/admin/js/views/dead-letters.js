// Dead letters of a consumed topic (`GET /api/dead-letters?topic=`), each replayable once
// (`POST /api/dead-letters/{id}/replay`).
import { api, query } from '../api.js';
import { cell, formatTime, h, heading, okNotice, replace, statusRegion, table } from '../dom.js';
import { errorNotice, loadErrorNotice } from '../errors.js';
import { CursorPager } from '../pager.js';

const TOPICS = ['payment.completed.v1', 'payment.failed.v1', 'coupon.trigger.v1'];
const PAGE_SIZE = 50;
const PREVIEW_CHARACTERS = 120;

export function deadLettersView(ctx) {
  const chosen = TOPICS.includes(ctx.params.get('topic')) ? ctx.params.get('topic') : TOPICS[0];
  const topic = h('select', { id: 'topic', name: 'topic' },
    TOPICS.map(t => h('option', { value: t, selected: t === chosen }, t)));
  const status = statusRegion();
  const problem = h('div', { id: 'dead-letter-error' });
  const list = h('div', { id: 'dead-letter-list' });
  const pager = new CursorPager(load);
  const form = h('form', { className: 'toolbar', id: 'topic-form' },
    h('label', { for: 'topic' }, 'Topic'), topic,
    h('button', { type: 'submit', className: 'button button--secondary' }, 'Show dead letters'));
  form.addEventListener('submit', event => {
    event.preventDefault();
    ctx.navigate(`#/dead-letters${query({ topic: topic.value })}`);
  });

  function valueCell(value) {
    if (value === null || value === undefined) {
      return cell('—');
    }
    if (value.length <= PREVIEW_CHARACTERS) {
      return cell(h('pre', {}, value));
    }
    return cell(h('details', {}, h('summary', {}, `${value.slice(0, PREVIEW_CHARACTERS)}…`), h('pre', {}, value)));
  }

  function row(letter) {
    const tr = h('tr', { 'data-dead-letter-id': letter.id });
    const fill = current => replace(tr,
      cell(h('code', {}, current.id)),
      cell(`${current.partition} / ${current.offset}`, true),
      cell(current.key === null ? '—' : h('code', {}, current.key)),
      valueCell(current.value),
      cell(current.error),
      cell(formatTime(current.deadLetteredAt)),
      cell(h('span', { 'data-field': 'replayedAt' }, formatTime(current.replayedAt))),
      cell(current.replayedAt ? 'Replayed' : h('button', {
        type: 'button', className: 'button button--secondary button--small', 'data-action': 'replay',
        'aria-label': `Replay dead letter ${current.id}`,
        onclick: async event => {
          event.target.disabled = true;
          try {
            const replayed = await api(`/api/dead-letters/${encodeURIComponent(current.id)}/replay`, { method: 'POST' });
            fill(replayed);
            replace(problem);
            // The button is gone: focus goes to the outcome instead of falling back to the page's start.
            const outcome = okNotice(`Dead letter ${replayed.id} was produced again to ${replayed.topic}.`);
            outcome.tabIndex = -1;
            replace(status, outcome);
            outcome.focus();
          } catch (error) {
            event.target.disabled = false;
            replace(problem, errorNotice(error, 'The dead letter was not replayed'));
          }
        },
      }, 'Replay')));
    fill(letter);
    return tr;
  }

  async function load() {
    try {
      const page = await api(`/api/dead-letters${query({ topic: chosen, cursor: pager.cursor, limit: PAGE_SIZE })}`);
      replace(list, page.deadLetters.length === 0
        ? h('p', { className: 'empty' }, `No dead letters on ${chosen}.`)
        : table(`Dead letters of ${chosen}`, [
          { label: 'Id' }, { label: 'Partition / offset', numeric: true }, { label: 'Key' }, { label: 'Value' },
          { label: 'Error' }, { label: 'Dead-lettered (UTC)' }, { label: 'Replayed (UTC)' }, { label: 'Action' },
        ], page.deadLetters.map(row)),
      pager.controls('Dead letter pages', page));
    } catch (error) {
      replace(list, loadErrorNotice(error, 'Dead letters'));
    }
  }

  ctx.root.append(heading('Dead letters'),
    h('p', { className: 'lead' },
      'Messages the service could not apply, kept on {topic}.DLQ. A replay produces the original message again to its '
      + 'topic, where it is applied as usual; replaying twice produces nothing more.'),
    form, status, problem, list);
  return load();
}
