import { ApiError, isMissingEndpoint } from './api.js';
import { h } from './dom.js';

/** The API's refusal as the user sees it: its code, status and message; a way back in after a 401. */
export function errorNotice(error, what = 'The request failed') {
  if (!(error instanceof ApiError)) {
    return h('div', { className: 'notice notice--error', role: 'alert' }, `${what}: ${error.message}`);
  }
  return h('div', { className: 'notice notice--error', role: 'alert', 'data-error-code': error.code },
    h('span', { className: 'notice__code' }, error.code), error.status ? ` (HTTP ${error.status}) ` : ' ',
    error.message,
    error.status === 401 ? h('p', {}, 'The token was refused or has expired. ', h('a', { href: '#/sign-in' }, 'Sign in again')) : null);
}

/** The page a 404 of an endpoint this server does not have yet gets, and every other error. */
export function loadErrorNotice(error, feature) {
  if (isMissingEndpoint(error)) {
    return h('div', { className: 'notice notice--info', role: 'status', 'data-error-code': error.code },
      `${feature}: not available on this server yet (the API answered 404 NOT_FOUND for its endpoint).`);
  }
  return errorNotice(error, `${feature} could not be loaded`);
}
