// The console's shell: hash routes ("#/policies/12"), the signed-in check, navigation and focus.
import { verifyAdmin } from './api.js';
import { h, heading, okNotice } from './dom.js';
import { clearToken, subjectOf, token } from './session.js';
import { dashboardView } from './views/dashboard.js';
import { deadLettersView } from './views/dead-letters.js';
import { jobDetailView } from './views/job-detail.js';
import { jobsView } from './views/jobs.js';
import { policiesView } from './views/policies.js';
import { policyDetailView } from './views/policy-detail.js';
import { policyFormView } from './views/policy-form.js';
import { signInView } from './views/sign-in.js';

const HOME = '#/dashboard';
const ROUTES = [
  { pattern: /^\/dashboard$/, section: 'dashboard', view: dashboardView },
  { pattern: /^\/policies$/, section: 'policies', view: policiesView },
  { pattern: /^\/policies\/new$/, section: 'policies', view: policyFormView },
  { pattern: /^\/policies\/(\d+)$/, section: 'policies', view: policyDetailView },
  { pattern: /^\/jobs$/, section: 'jobs', view: jobsView },
  { pattern: /^\/jobs\/(\d+)$/, section: 'jobs', view: jobDetailView },
  { pattern: /^\/dead-letters$/, section: 'dead-letters', view: deadLettersView },
];

const main = document.getElementById('main');
const nav = document.getElementById('site-nav');
const session = document.getElementById('session');
let disposers = [];
let navigation = 0;
let flash = null;
let adminConfirmed = false;
let firstRender = true;

/** Goes to `hash`, with an optional message for the next page (e.g. "Created policy 12"). */
function navigate(hash, message = null) {
  flash = message;
  if (location.hash === hash) {
    render();
  } else {
    location.hash = hash;
  }
}

function parseHash() {
  const [path, search] = (location.hash.replace(/^#/, '') || '/').split('?');
  return { path, params: new URLSearchParams(search ?? '') };
}

function showSignedIn(signedIn) {
  nav.hidden = !signedIn;
  session.hidden = !signedIn;
  document.getElementById('session-subject').textContent = signedIn ? `Signed in as ${subjectOf(token()) ?? 'ADMIN'}` : '';
}

function markSection(section) {
  for (const link of nav.querySelectorAll('a[data-section]')) {
    if (link.dataset.section === section) {
      link.setAttribute('aria-current', 'page');
    } else {
      link.removeAttribute('aria-current');
    }
  }
}

async function render() {
  const current = ++navigation;
  disposers.forEach(dispose => dispose());
  disposers = [];
  const root = h('div', { className: 'view' });
  main.replaceChildren(root);
  const ctx = {
    root,
    params: parseHash().params,
    navigate,
    onDispose: dispose => disposers.push(dispose),
  };
  const { path } = parseHash();

  if (!token() || path === '/sign-in') {
    return show(ctx, () => signIn(ctx, null));
  }
  if (!adminConfirmed) {
    try {
      await verifyAdmin();
      adminConfirmed = true;
    } catch (error) {
      if (current !== navigation) {
        return undefined;
      }
      // A token the API refuses for ADMIN work (a USER token, an expired one) is dropped, not kept for later.
      clearToken();
      return show(ctx, () => signIn(ctx, error));
    }
    if (current !== navigation) {
      return undefined;
    }
  }
  if (path === '/') {
    navigate(HOME);
    return undefined;
  }
  showSignedIn(true);
  const route = ROUTES.find(r => r.pattern.test(path));
  markSection(route?.section);
  if (!route) {
    return show(ctx, () => root.append(heading('Page not found'),
      h('p', {}, 'The console has no such page. ', h('a', { href: HOME }, 'Go to the dashboard'))));
  }
  ctx.id = path.match(route.pattern)[1];
  return show(ctx, () => route.view(ctx));
}

function signIn(ctx, refusal) {
  showSignedIn(false);
  markSection(null);
  const wanted = location.hash && !location.hash.startsWith('#/sign-in') ? location.hash : HOME;
  signInView(ctx, {
    refusal,
    onSignedIn: () => {
      adminConfirmed = true;
      navigate(wanted);
    },
  });
}

/** Renders a view under the flash message, and moves focus to its heading after a navigation. */
function show(ctx, renderView) {
  if (flash) {
    ctx.root.append(okNotice(flash));
    flash = null;
  }
  const rendered = renderView();
  // On the first page focus stays at the document's start, so the skip link is the first Tab stop.
  if (!firstRender) {
    ctx.root.querySelector('h1')?.focus();
  }
  firstRender = false;
  return rendered;
}

document.getElementById('skip-link').addEventListener('click', event => {
  // The fragment would be taken for a route: move focus by hand.
  event.preventDefault();
  (main.querySelector('h1') ?? main).focus();
});
document.getElementById('sign-out').addEventListener('click', () => {
  clearToken();
  adminConfirmed = false;
  navigate('#/sign-in');
});
window.addEventListener('hashchange', render);
render();
