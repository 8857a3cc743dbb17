/**
 * The renderer's Content-Security-Policy, shared by both shells (Electron's response headers and
 * the built index.html's <meta>, and the loopback server's headers). It may load only its own
 * scripts, styles and images: no inline code, no eval, no plugins, no framing, no posting away.
 */
export const contentSecurityPolicy = [
  "default-src 'self'",
  "script-src 'self'",
  "style-src 'self'",
  "img-src 'self' data:",
  "connect-src 'self'",
  "object-src 'none'",
  "base-uri 'none'",
  "frame-ancestors 'none'",
  "form-action 'none'",
].join('; ');
