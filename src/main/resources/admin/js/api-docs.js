// Starts Swagger UI (loaded from its WebJar by api-docs.html) on the service's /openapi.yaml.
import { token } from './session.js';

const ui = window.SwaggerUIBundle({
  url: '/openapi.yaml',
  dom_id: '#swagger-ui',
  deepLinking: false,
  // No call to the public validator: the console works offline and talks to this origin only.
  validatorUrl: null,
  // "Try it out" goes to this service, whatever server the document names.
  requestInterceptor: request => {
    const url = new URL(request.url, window.location.href);
    request.url = window.location.origin + url.pathname + url.search;
    return request;
  },
  onComplete: () => {
    if (token()) {
      ui.preauthorizeApiKey('bearerAuth', token());
    }
  },
});
