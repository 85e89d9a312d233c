// Sign-in: the user pastes an ADMIN token; it is kept (sessionStorage) only once an ADMIN-only read accepted it.
import { verifyAdmin } from '../api.js';
import { h, heading, replace } from '../dom.js';
import { errorNotice } from '../errors.js';
import { saveToken } from '../session.js';

/** `refusal`: why the stored token was just dropped (shown above the form); `onSignedIn`: what follows. */
export function signInView(ctx, { refusal, onSignedIn }) {
  const problem = h('div', { id: 'sign-in-error' }, refusal ? errorNotice(refusal, 'The token was refused') : null);
  const input = h('textarea', {
    id: 'token', name: 'token', rows: '4', autocomplete: 'off', spellcheck: 'false', 'aria-describedby': 'token-hint',
  });
  const submit = h('button', { type: 'submit', className: 'button' }, 'Sign in');
  const form = h('form', { className: 'panel', novalidate: true, id: 'sign-in-form' },
    h('div', { className: 'field' },
      h('label', { for: 'token' }, 'ADMIN token'),
      input,
      h('p', { className: 'hint', id: 'token-hint' },
        'A JWT with the ADMIN role. It stays in this browser tab (sessionStorage) until you sign out or close the tab, '
        + 'and is sent only to this service\'s API, as Authorization: Bearer.')),
    h('div', { className: 'form-actions' }, submit));
  form.addEventListener('submit', async event => {
    event.preventDefault();
    const value = input.value.trim();
    submit.disabled = true;
    replace(problem);
    try {
      await verifyAdmin(value);
      saveToken(value);
      onSignedIn();
    } catch (error) {
      replace(problem, errorNotice(error, 'Signing in failed'));
      input.focus();
    } finally {
      submit.disabled = false;
    }
  });
  ctx.root.append(h('div', { className: 'sign-in' },
    heading('Sign in'),
    h('p', { className: 'lead' }, 'The console does everything through the service\'s API, with the token you paste here.'),
    problem,
    form,
    h('section', { className: 'panel', 'aria-labelledby': 'dev-heading' },
      h('h2', { id: 'dev-heading' }, 'Running the dev profile?'),
      h('p', {}, 'The service printed an ADMIN token when it started, on the line beginning ',
        h('code', {}, 'dev ADMIN token (30 days):'), '. Copy it from that terminal and paste it above.'),
      h('p', { className: 'hint' },
        'The console does not fetch the token for you: an endpoint that hands out an ADMIN token would hand it to '
        + 'any program, or any web page the browser visits, that can reach the port.'))));
}
