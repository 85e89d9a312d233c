// The ADMIN token lives in this tab's sessionStorage only: never a cookie (nothing is sent without the console
// asking for it, so no cross-site request carries it) and never the URL (no history, logs or Referer hold it).
const TOKEN_KEY = 'coupon-service.admin-token';

export function token() {
  return sessionStorage.getItem(TOKEN_KEY);
}

export function saveToken(value) {
  sessionStorage.setItem(TOKEN_KEY, value);
}

export function clearToken() {
  sessionStorage.removeItem(TOKEN_KEY);
}

/** The token's `sub` claim, for display only: the API verifies the token, the console does not. */
export function subjectOf(value) {
  try {
    const payload = value.split('.')[1].replace(/-/g, '+').replace(/_/g, '/');
    return JSON.parse(atob(payload)).sub ?? null;
  } catch {
    return null;
  }
}
