// Server-Sent Events over fetch(): EventSource cannot send an Authorization header, and the token must not go into
// the URL or a cookie, so the stream is read with a ReadableStream reader and parsed here.
import { authorizationHeaders, errorOf } from './api.js';

/** An incremental parser of the text/event-stream format; calls `onEvent({type, data, id})` per dispatched event. */
class EventStreamParser {
  constructor(onEvent) {
    this.onEvent = onEvent;
    this.pending = '';
    this.type = '';
    this.data = [];
    this.lastEventId = '';
  }

  push(text) {
    this.pending += text;
    const lines = this.pending.split(/\r\n|\n|\r(?!$)/);
    this.pending = lines.pop();
    for (const line of lines) {
      this.line(line);
    }
  }

  line(line) {
    if (line === '') {
      this.dispatch();
      return;
    }
    if (line.startsWith(':')) {
      return;
    }
    const colon = line.indexOf(':');
    const name = colon === -1 ? line : line.slice(0, colon);
    let value = colon === -1 ? '' : line.slice(colon + 1);
    if (value.startsWith(' ')) {
      value = value.slice(1);
    }
    if (name === 'event') {
      this.type = value;
    } else if (name === 'data') {
      this.data.push(value);
    } else if (name === 'id') {
      this.lastEventId = value;
    }
  }

  dispatch() {
    if (this.data.length > 0) {
      this.onEvent({ type: this.type || 'message', data: this.data.join('\n'), id: this.lastEventId });
    }
    this.type = '';
    this.data = [];
  }
}

/**
 * Reads the event stream at `path` until the server ends it (resolves) or `signal` aborts it (rejects with an
 * AbortError). A refusal (401, 403, …) rejects with the API's error before `onOpen` is called.
 */
export async function readEventStream(path, { signal, onOpen, onEvent }) {
  const response = await fetch(path, {
    headers: { Accept: 'text/event-stream', ...authorizationHeaders() },
    signal,
    cache: 'no-store',
  });
  if (!response.ok) {
    let body = null;
    try {
      body = await response.json();
    } catch {
      body = null;
    }
    throw errorOf(response.status, body);
  }
  onOpen();
  const reader = response.body.pipeThrough(new TextDecoderStream()).getReader();
  const parser = new EventStreamParser(onEvent);
  for (;;) {
    const { value, done } = await reader.read();
    if (done) {
      return;
    }
    parser.push(value);
  }
}
