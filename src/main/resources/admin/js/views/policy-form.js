// Creating a policy: `POST /api/coupon-policies`. The API alone validates; its message is shown at the field.
import { api } from '../api.js';
import { h, heading } from '../dom.js';
import { errorNotice } from '../errors.js';
import { bodyOf, field, submitToApi } from '../forms.js';
import { rememberCreated } from './policies.js';

const DAY_MS = 24 * 3600 * 1000;

function isoMinute(epochMillis) {
  return new Date(epochMillis).toISOString().slice(0, 16) + ':00Z';
}

function fieldSpecs() {
  const now = Date.now();
  return [
    { name: 'couponName', label: 'Name', kind: 'text', hint: '1–100 characters.', wide: true },
    { name: 'couponCode', label: 'Coupon code', kind: 'text', hint: 'Required for CODE; letters, digits, _ and -.' },
    { name: 'distributionType', label: 'Distribution', kind: 'select', value: 'DOWNLOAD',
      options: ['CODE', 'DOWNLOAD', 'FIRST_COME', 'EVENT', 'DIRECT'] },
    { name: 'discountType', label: 'Discount type', kind: 'select', value: 'FIXED_AMOUNT', options: ['FIXED_AMOUNT', 'PERCENTAGE'] },
    { name: 'discountValue', label: 'Discount value', kind: 'number', hint: 'An amount, or a percentage up to 100.' },
    { name: 'minimumOrderAmount', label: 'Minimum order amount', kind: 'number', hint: 'Empty: no minimum.' },
    { name: 'maxDiscountAmount', label: 'Largest discount', kind: 'number', hint: 'Empty: no cap.' },
    { name: 'maxIssueCount', label: 'Stock (coupons to issue)', kind: 'number', hint: 'Empty: unlimited (not for FIRST_COME).' },
    { name: 'maxIssuePerUser', label: 'Coupons per user', kind: 'number', value: '1' },
    { name: 'validDays', label: 'Coupon valid for (days)', kind: 'number', value: '30', hint: 'Or a validity duration below, not both.' },
    { name: 'validDuration', label: 'Coupon valid for (duration)', kind: 'text', hint: 'ISO-8601, e.g. PT2H for two hours.' },
    { name: 'validFrom', label: 'Issues from (UTC)', kind: 'text', value: isoMinute(now), hint: 'e.g. 2026-01-01T00:00:00Z' },
    { name: 'validUntil', label: 'Issues until (UTC)', kind: 'text', value: isoMinute(now + 30 * DAY_MS) },
    { name: 'triggerEventType', label: 'Trigger event type', kind: 'text', hint: 'Required for EVENT.' },
  ];
}

export function policyFormView(ctx) {
  const specs = fieldSpecs();
  const problem = h('div', { id: 'form-error' });
  const submit = h('button', { type: 'submit', className: 'button' }, 'Create policy');
  const form = h('form', { className: 'panel', novalidate: true, id: 'policy-form' },
    h('div', { className: 'form-grid' }, specs.map(spec => field('policy', spec))),
    h('div', { className: 'form-actions' }, submit, h('a', { href: '#/policies' }, 'Cancel')));
  submitToApi(form, {
    button: submit,
    problem,
    names: specs.map(s => s.name),
    placement: { codeFields: { DUPLICATE_COUPON_CODE: 'couponCode' } },
    failure: error => errorNotice(error, 'The policy was not created'),
    send: async () => {
      const policy = await api('/api/coupon-policies', { method: 'POST', body: bodyOf(form, specs) });
      rememberCreated(policy);
      ctx.navigate('#/policies', `Created policy ${policy.policyId} “${policy.couponName}”.`);
    },
  });
  ctx.root.append(heading('New coupon policy'),
    h('p', { className: 'lead' }, 'The service checks every field; what it refuses is shown at the field.'),
    problem, form);
}
