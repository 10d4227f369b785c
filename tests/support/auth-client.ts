/**
 * A browser-like client of Pharos' identity API: keeps the session cookie and CSRF token from
 * the login and sends them as a browser (cookie by itself) plus the console (CSRF header) would.
 */
export class ConsoleClient {
  private cookie: string | undefined;
  csrfToken: string | undefined;

  constructor(readonly url: string) {}

  /** Logs in; returns the raw response (the caller checks the status). */
  async login(login: string, password: string): Promise<Response> {
    const res = await fetch(`${this.url}/api/login`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ login, password }),
    });
    if (res.status === 200) {
      const setCookie = res.headers.get('set-cookie') ?? '';
      this.cookie = setCookie.split(';')[0];
      this.csrfToken = ((await res.clone().json()) as { csrfToken: string }).csrfToken;
    }
    return res;
  }

  get sessionCookie(): string | undefined {
    return this.cookie;
  }

  /** A request with the cookie, and the CSRF header unless `csrf: false`. */
  request(method: string, path: string, options: { body?: unknown; csrf?: boolean; headers?: Record<string, string> } = {}): Promise<Response> {
    const headers: Record<string, string> = { ...options.headers };
    if (this.cookie) headers['cookie'] = this.cookie;
    if (options.csrf !== false && this.csrfToken) headers['x-csrf-token'] = this.csrfToken;
    if (options.body !== undefined) headers['content-type'] = 'application/json';
    return fetch(`${this.url}${path}`, { method, headers, ...(options.body !== undefined ? { body: JSON.stringify(options.body) } : {}) });
  }

  async json<T>(method: string, path: string, body?: unknown, expectStatus = 200): Promise<T> {
    const res = await this.request(method, path, body !== undefined ? { body } : {});
    const text = await res.text();
    if (res.status !== expectStatus) throw new Error(`${method} ${path}: expected ${expectStatus}, got ${res.status}: ${text}`);
    return (text === '' ? undefined : JSON.parse(text)) as T;
  }
}

/** The admin password `pharos start` prints once on the first start with auth on. */
export function printedAdminPassword(output: string): string | undefined {
  return /with the password\s*\n\s*\n\s*(\S+)/.exec(output)?.[1];
}

export const bearer = (token: string): Record<string, string> => ({ authorization: `Bearer ${token}` });
export const basic = (token: string, user = 'prometheus'): Record<string, string> => ({
  authorization: `Basic ${Buffer.from(`${user}:${token}`).toString('base64')}`,
});
