// Forms whose rules are the API's: the console does not validate (forms are `novalidate`), it sends what was typed
// and shows the API's VALIDATION_FAILED message at the input its message names.
import { ApiError } from './api.js';
import { h } from './dom.js';

const NUMBER = /^-?\d+(\.\d+)?$/;

/**
 * One labelled input. `spec`: {name, label, kind: text|number|select|textarea|file, options, value, hint, wide}.
 * The API's field name is shown beside the label, as the API's messages use it.
 */
export function field(formId, spec) {
  const id = `${formId}-${spec.name}`;
  const describedBy = [spec.hint ? `${id}-hint` : null, `${id}-error`].filter(Boolean).join(' ');
  const common = { id, name: spec.name, 'aria-describedby': describedBy, 'data-field': spec.name };
  let control;
  if (spec.kind === 'select') {
    control = h('select', common, spec.options.map(option =>
      h('option', { value: option, selected: option === spec.value }, option)));
  } else if (spec.kind === 'textarea') {
    control = h('textarea', { ...common, autocomplete: 'off', spellcheck: 'false' }, spec.value ?? '');
  } else if (spec.kind === 'file') {
    control = h('input', { ...common, type: 'file', accept: spec.accept });
  } else {
    control = h('input', {
      ...common,
      type: 'text',
      inputmode: spec.kind === 'number' ? 'decimal' : null,
      autocomplete: 'off',
      value: spec.value ?? '',
    });
  }
  return h('div', { className: spec.wide ? 'field field--wide' : 'field' },
    // A file is the request's body, not a named field of it.
    h('label', { for: id }, spec.label, spec.kind === 'file' ? null : h('span', { className: 'api-name' }, spec.name)),
    control,
    spec.hint ? h('p', { className: 'hint', id: `${id}-hint` }, spec.hint) : null,
    h('p', { className: 'field-error', id: `${id}-error`, hidden: true }));
}

/** The request body of the form's fields: empty inputs are left out, numeric text becomes a JSON number. */
export function bodyOf(form, specs) {
  const body = {};
  for (const spec of specs) {
    const text = form.elements[spec.name].value.trim();
    if (text === '') {
      continue;
    }
    body[spec.name] = spec.kind === 'number' && NUMBER.test(text) ? Number(text) : text;
  }
  return body;
}

/** The field a validation message is about: the first of `names` it mentions as a word. */
function fieldNamed(message, names) {
  let found = null;
  let foundAt = Infinity;
  for (const name of names) {
    const match = new RegExp(`\\b${name}\\b`).exec(message);
    if (match && match.index < foundAt) {
      found = name;
      foundAt = match.index;
    }
  }
  return found;
}

function clearFieldErrors(form) {
  for (const message of form.querySelectorAll('.field-error')) {
    message.hidden = true;
    message.textContent = '';
  }
  for (const control of form.querySelectorAll('[aria-invalid]')) {
    control.removeAttribute('aria-invalid');
  }
}

/**
 * Puts the API's refusal at the input it is about and moves focus there; answers false when it is about none
 * (the caller then shows it for the whole form). `codeFields` maps error codes that concern one input
 * (DUPLICATE_COUPON_CODE → couponCode) to it; `unnamed` is the input a VALIDATION_FAILED naming none of `names`
 * is about (an uploaded file's line), if any.
 */
function showFieldError(form, error, names, { codeFields = {}, unnamed = null } = {}) {
  if (!(error instanceof ApiError)) {
    return false;
  }
  const name = codeFields[error.code]
    ?? (error.code === 'VALIDATION_FAILED' ? fieldNamed(error.message, names) ?? unnamed : null);
  const control = name ? form.elements[name] : null;
  if (!control) {
    return false;
  }
  const message = form.querySelector(`#${CSS.escape(control.id)}-error`);
  message.textContent = error.message;
  message.hidden = false;
  control.setAttribute('aria-invalid', 'true');
  control.focus();
  return true;
}

/**
 * Sends the form through `send()` on submit: the previous refusal is cleared, `button` is disabled while the call
 * runs, and a refusal is shown at its field (see showFieldError, with `placement`) or else as `failure(error)` in
 * `problem`.
 */
export function submitToApi(form, { button, problem, names, placement, failure, send }) {
  form.addEventListener('submit', async event => {
    event.preventDefault();
    clearFieldErrors(form);
    problem.replaceChildren();
    button.disabled = true;
    try {
      await send();
    } catch (error) {
      if (!showFieldError(form, error, names, placement)) {
        problem.replaceChildren(failure(error));
      }
    } finally {
      button.disabled = false;
    }
  });
}
