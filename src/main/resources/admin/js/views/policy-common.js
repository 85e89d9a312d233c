// What the policy list and a policy's page share: how a policy's terms read, and the activation switch.
import { api } from '../api.js';
import { formatNumber, h } from '../dom.js';

export function discountText(policy) {
  const value = formatNumber(policy.discountValue);
  if (policy.discountType === 'PERCENTAGE') {
    return policy.maxDiscountAmount === null ? `${value}%` : `${value}% (at most ${formatNumber(policy.maxDiscountAmount)})`;
  }
  return `${value} off`;
}

export function activeBadge(policy) {
  return policy.isActive
    ? h('span', { className: 'badge badge--on' }, 'Active')
    : h('span', { className: 'badge badge--off' }, 'Inactive');
}

/**
 * A button that deactivates an active policy or activates an inactive one; `onChanged(policy)` gets the policy
 * the API answered, `onError(error)` its refusal.
 */
export function activationButton(policy, { onChanged, onError }) {
  const action = policy.isActive ? 'deactivate' : 'activate';
  const text = policy.isActive ? 'Deactivate' : 'Activate';
  const button = h('button', {
    type: 'button',
    className: policy.isActive ? 'button button--danger button--small' : 'button button--secondary button--small',
    'aria-label': `${text} policy ${policy.policyId} ${policy.couponName}`,
    'data-action': action,
  }, text);
  button.addEventListener('click', async () => {
    button.disabled = true;
    try {
      onChanged(await api(`/api/coupon-policies/${policy.policyId}/${action}`, { method: 'POST' }));
    } catch (error) {
      button.disabled = false;
      onError(error);
    }
  });
  return button;
}
