// Every call of the console goes through the public API with the signed-in token, so the API's own
// authorization decides what the console may see and do.
import { token } from './session.js';

/** A refusal by the API, from its error body `{code, message, status, timestamp}`. */
export class ApiError extends Error {
  constructor(status, code, message) {
    super(message);
    this.status = status;
    this.code = code;
  }
}

/** The error of a failed response: the contract's error body, or a description of what came instead. */
export function errorOf(status, body) {
  if (body && typeof body.code === 'string') {
    return new ApiError(status, body.code, typeof body.message === 'string' ? body.message : '');
  }
  return new ApiError(status, `HTTP_${status}`, `The service answered ${status} without the API's error body.`);
}

/** A route this server does not have (yet): 404 NOT_FOUND, as opposed to a 404 about a missing policy or job. */
export function isMissingEndpoint(error) {
  return error instanceof ApiError && error.status === 404 && error.code === 'NOT_FOUND';
}

export function authorizationHeaders(tokenValue = token()) {
  return tokenValue ? { Authorization: `Bearer ${tokenValue}` } : {};
}

/**
 * Calls the API and answers the parsed JSON body (null for 204); throws ApiError for a refusal.
 * `body` is sent as JSON unless `contentType` says otherwise; `idempotencyKey` goes in the `Idempotency-Key` header.
 */
export async function api(path,
  { method = 'GET', body, contentType = 'application/json', signal, tokenValue, idempotencyKey } = {}) {
  const headers = { Accept: 'application/json', ...authorizationHeaders(tokenValue ?? token()) };
  if (idempotencyKey) {
    headers['Idempotency-Key'] = idempotencyKey;
  }
  let payload;
  if (body !== undefined) {
    headers['Content-Type'] = contentType;
    payload = contentType === 'application/json' ? JSON.stringify(body) : body;
  }
  let response;
  try {
    response = await fetch(path, { method, headers, body: payload, signal, cache: 'no-store' });
  } catch (error) {
    if (error.name === 'AbortError') {
      throw error;
    }
    throw new ApiError(0, 'NETWORK_ERROR', `The service could not be reached (${error.message}).`);
  }
  const text = await response.text();
  let json = null;
  try {
    json = text ? JSON.parse(text) : null;
  } catch {
    json = null;
  }
  if (!response.ok) {
    throw errorOf(response.status, json);
  }
  return json;
}

/**
 * A new Idempotency-Key: 32 random hex digits. From getRandomValues, which browsers offer on plain HTTP too
 * (randomUUID only in secure contexts).
 */
export function newIdempotencyKey() {
  return Array.from(crypto.getRandomValues(new Uint8Array(16)), b => b.toString(16).padStart(2, '0')).join('');
}

/** Whether a failed call may have been applied and must be retried with the same Idempotency-Key. */
export function outcomeUnknown(error) {
  return error instanceof ApiError && (error.status === 0 || error.status >= 500);
}

/** A query string of the given parameters, leaving out empty ones. */
export function query(parameters) {
  const search = new URLSearchParams();
  for (const [name, value] of Object.entries(parameters)) {
    if (value !== null && value !== undefined && value !== '') {
      search.set(name, String(value));
    }
  }
  const text = search.toString();
  return text ? `?${text}` : '';
}

/** Checks that the token is accepted for ADMIN work, by an ADMIN-only read that changes nothing. */
export function verifyAdmin(tokenValue) {
  const today = new Date().toISOString().slice(0, 10);
  return api(`/api/statistics/daily${query({ from: today, to: today })}`, { tokenValue });
}
