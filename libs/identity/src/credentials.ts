/**
 * The secret a request presents in `Authorization`: `Bearer <token>`, or Basic auth whose
 * password is the token (so Prometheus `basic_auth`, Grafana data sources and OTel exporters
 * work unchanged; the user name is ignored). Undefined when absent or unreadable.
 */
export function credentialFromAuthorization(header: string | undefined): string | undefined {
  if (header === undefined) return undefined;
  const value = header.trim();
  const space = value.indexOf(' ');
  if (space <= 0) return undefined;
  const scheme = value.slice(0, space).toLowerCase();
  const rest = value.slice(space + 1).trim();
  if (scheme === 'bearer') return rest === '' ? undefined : rest;
  if (scheme === 'basic') {
    const decoded = Buffer.from(rest, 'base64').toString('utf8');
    const colon = decoded.indexOf(':');
    const password = colon >= 0 ? decoded.slice(colon + 1) : '';
    return password === '' ? undefined : password;
  }
  return undefined;
}
