// One policy: its terms (from its entity, always current), activation, stock, statistics and history.
import { api, query } from '../api.js';
import { cell, formatNumber, formatTime, h, heading, okNotice, replace, statusRegion, table } from '../dom.js';
import { errorNotice, loadErrorNotice } from '../errors.js';
import { bodyOf, field, submitToApi } from '../forms.js';
import { activationButton, activeBadge, discountText } from './policy-common.js';

const HISTORY_PAGE = 50;
const STOCK_FIELDS = [
  { name: 'newMaxIssueCount', label: 'New stock (maximum issue count)', kind: 'number', hint: 'Not below the coupons already issued.' },
  { name: 'reason', label: 'Reason', kind: 'text', hint: 'Kept in the policy\'s history.' },
];

export async function policyDetailView(ctx) {
  const policyId = ctx.id;
  const title = heading(`Policy ${policyId}`);
  const status = statusRegion();
  const problem = h('div', { id: 'policy-error' });
  const facts = h('div', { className: 'panel', id: 'policy-facts' }, 'Loading…');
  const statistics = h('div', { id: 'policy-statistics' });
  const history = h('div', { id: 'policy-history' });
  ctx.root.append(title, status, problem, facts,
    h('section', { className: 'panel', 'aria-labelledby': 'stock-heading' }, h('h2', { id: 'stock-heading' }, 'Change the stock'), stockForm()),
    h('section', { className: 'panel', 'aria-labelledby': 'statistics-heading' },
      h('div', { className: 'toolbar' }, h('h2', { id: 'statistics-heading' }, 'Statistics'), h('span', { className: 'spacer' }),
        h('button', { type: 'button', className: 'button button--secondary button--small', onclick: loadStatistics }, 'Refresh statistics')),
      statistics),
    h('section', { className: 'panel', 'aria-labelledby': 'history-heading' }, h('h2', { id: 'history-heading' }, 'History'), history));

  function showPolicy(policy) {
    title.textContent = `Policy ${policy.policyId}: ${policy.couponName}`;
    const fact = (label, value) => [h('dt', {}, label), h('dd', {}, value)];
    replace(facts,
      h('div', { className: 'toolbar' }, activeBadge(policy), h('span', { className: 'spacer' }),
        h('a', { href: `#/jobs${query({ policy: policy.policyId })}` }, 'Issue to a list of users (CSV)'),
        activationButton(policy, {
          onChanged: changed => {
            showPolicy(changed);
            replace(problem);
            replace(status, okNotice(`The policy is now ${changed.isActive ? 'active' : 'inactive'}.`));
            facts.querySelector('[data-action]').focus();
          },
          onError: error => replace(problem, errorNotice(error, 'Changing the policy failed')),
        })),
      h('dl', { className: 'facts' },
        fact('Code', policy.couponCode ? h('code', {}, policy.couponCode) : '—'),
        fact('Distribution', policy.distributionType),
        fact('Discount', discountText(policy)),
        fact('Minimum order', formatNumber(policy.minimumOrderAmount)),
        fact('Issued', h('span', { 'data-field': 'currentIssueCount' }, formatNumber(policy.currentIssueCount))),
        fact('Stock', h('span', { 'data-field': 'maxIssueCount' }, policy.maxIssueCount === null ? 'unlimited' : formatNumber(policy.maxIssueCount))),
        fact('Remaining', policy.remainingCount === null ? 'unlimited' : formatNumber(policy.remainingCount)),
        fact('Per user', formatNumber(policy.maxIssuePerUser)),
        fact('Coupon valid for', policy.validDuration ?? `${policy.validDays} days`),
        fact('Issues between (UTC)', `${formatTime(policy.validFrom)} – ${formatTime(policy.validUntil)}`),
        fact('Trigger event', policy.triggerEventType ?? '—'),
        fact('Created', formatTime(policy.createdAt)),
        fact('Updated', formatTime(policy.updatedAt))));
  }

  function stockForm() {
    const submit = h('button', { type: 'submit', className: 'button' }, 'Change stock');
    const form = h('form', { novalidate: true, id: 'stock-form', className: 'inline-form' },
      STOCK_FIELDS.map(spec => field('stock', spec)), h('div', { className: 'field' }, submit));
    submitToApi(form, {
      button: submit,
      problem,
      names: STOCK_FIELDS.map(s => s.name),
      failure: error => errorNotice(error, 'The stock was not changed'),
      send: async () => {
        const change = await api(`/api/coupon-policies/${policyId}/remaining-quantity`, {
          method: 'PATCH', body: bodyOf(form, STOCK_FIELDS),
        });
        replace(status, okNotice(`Stock changed from ${formatNumber(change.previousMaxIssueCount)} to `
          + `${formatNumber(change.newMaxIssueCount)}; ${formatNumber(change.remainingCount)} remaining.`));
        form.reset();
        await Promise.all([loadPolicy(), loadStatistics(), loadHistory()]);
      },
    });
    return form;
  }

  async function loadPolicy() {
    try {
      showPolicy(await api(`/api/coupon-policies/${policyId}`));
    } catch (error) {
      replace(facts, errorNotice(error, 'The policy could not be loaded'));
    }
  }

  async function loadStatistics() {
    try {
      const s = await api(`/api/coupon-policies/${policyId}/statistics`);
      const columns = ['issued', 'reserved', 'used', 'expired', 'cancelled', 'remaining', 'totalDiscountAmount'];
      replace(statistics, table(null,
        ['Issued', 'Reserved', 'Used', 'Expired', 'Cancelled', 'Remaining', 'Total discount'].map(label => ({ label, numeric: true })),
        [h('tr', {}, columns.map(name => {
          const td = cell(name === 'remaining' && s.remaining === null ? 'unlimited' : formatNumber(s[name]), true);
          td.dataset.field = name;
          return td;
        }))]));
    } catch (error) {
      replace(statistics, loadErrorNotice(error, 'Policy statistics'));
    }
  }

  async function loadHistory() {
    const rows = h('tbody');
    const more = h('div');
    const page = async cursor => {
      try {
        const result = await api(`/api/coupon-policies/${policyId}/history${query({ cursor, limit: HISTORY_PAGE })}`);
        result.entries.forEach(entry => rows.append(h('tr', {},
          cell(formatTime(entry.at)), cell(entry.type), cell(entry.by ?? '—'), cell(entry.reason ?? '—'),
          cell(h('code', {}, JSON.stringify(entry.details ?? {}))))));
        replace(more, result.hasMore
          ? h('button', { type: 'button', className: 'button button--secondary', onclick: event => {
            event.target.disabled = true;
            page(result.nextCursor);
          } }, 'Show more history')
          : null);
        if (cursor === null && result.entries.length === 0) {
          replace(history, h('p', { className: 'empty' }, 'No history entries.'));
        }
      } catch (error) {
        replace(history, loadErrorNotice(error, 'Policy history'));
      }
    };
    replace(history, h('div', { className: 'table-wrap' }, h('table', {},
      h('thead', {}, h('tr', {}, ['When (UTC)', 'What', 'By', 'Reason', 'Details'].map(label => h('th', { scope: 'col' }, label)))),
      rows)), more);
    await page(null);
  }

  await Promise.all([loadPolicy(), loadStatistics(), loadHistory()]);
}
