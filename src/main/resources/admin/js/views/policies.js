// The policy list: `GET /api/coupon-policies?cursor=&limit=`, newest first, with activation per row.
import { api, query } from '../api.js';
import { cell, formatNumber, formatTime, h, heading, okNotice, replace, statusRegion, table } from '../dom.js';
import { errorNotice } from '../errors.js';
import { CursorPager } from '../pager.js';
import { activationButton, activeBadge, discountText } from './policy-common.js';

const PAGE_SIZES = ['20', '50', '100'];

// The list is a read view that lags writes by up to a second: a policy this tab just created is shown at the top
// of the first page until the list has caught up with it.
let justCreated = null;

export function rememberCreated(policy) {
  justCreated = policy;
}

export function policiesView(ctx) {
  const status = statusRegion();
  const problem = h('div');
  const results = h('div', { id: 'policy-list' });
  const pageSize = h('select', { id: 'page-size' }, PAGE_SIZES.map(size => h('option', { value: size }, size)));
  const pager = new CursorPager(load);
  pageSize.addEventListener('change', () => {
    pager.reset();
    load();
  });
  ctx.root.append(
    heading('Coupon policies'),
    h('div', { className: 'toolbar' },
      h('a', { className: 'button', href: '#/policies/new' }, 'New policy'),
      h('span', { className: 'spacer' }),
      h('label', { for: 'page-size' }, 'Per page'), pageSize),
    status, problem, results);

  function row(policy) {
    const tr = h('tr', { 'data-policy-id': policy.policyId });
    const fill = current => replace(tr,
      cell(h('a', { href: `#/policies/${current.policyId}` }, String(current.policyId)), true),
      cell(current.couponName),
      cell(current.couponCode ? h('code', {}, current.couponCode) : '—'),
      cell(current.distributionType),
      cell(discountText(current)),
      cell(formatNumber(current.currentIssueCount), true),
      cell(current.maxIssueCount === null ? 'unlimited' : formatNumber(current.remainingCount), true),
      cell(`${formatTime(current.validFrom)} – ${formatTime(current.validUntil)}`),
      cell(activeBadge(current)),
      cell(activationButton(current, {
        onChanged: changed => {
          fill(changed);
          replace(problem);
          replace(status, okNotice(`Policy ${changed.policyId} is now ${changed.isActive ? 'active' : 'inactive'}.`));
          tr.querySelector('[data-action]').focus();
        },
        onError: error => replace(problem, errorNotice(error, 'Changing the policy failed')),
      })));
    fill(policy);
    return tr;
  }

  async function load() {
    try {
      const page = await api(`/api/coupon-policies${query({ cursor: pager.cursor, limit: pageSize.value })}`);
      const policies = [...page.policies];
      if (justCreated && pager.cursor === null) {
        if (policies.some(p => p.policyId === justCreated.policyId)) {
          justCreated = null;
        } else {
          policies.unshift(justCreated);
        }
      }
      replace(results, policies.length === 0
        ? h('p', { className: 'empty' }, 'No policies yet.')
        : table(null, [
          { label: 'ID', numeric: true }, { label: 'Name' }, { label: 'Code' }, { label: 'Distribution' },
          { label: 'Discount' }, { label: 'Issued', numeric: true }, { label: 'Remaining', numeric: true },
          { label: 'Issues between (UTC)' }, { label: 'Status' }, { label: 'Action' },
        ], policies.map(row)),
      pager.controls('Policy pages', page));
    } catch (error) {
      replace(results, errorNotice(error, 'The policies could not be loaded'));
    }
  }
  return load();
}
