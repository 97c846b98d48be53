// Swagger UI for /docs, from the local bundle (a separate file: the page's CSP forbids inline script).
window.SwaggerUIBundle({ url: "/openapi.json", dom_id: "#swagger-ui", deepLinking: true });
