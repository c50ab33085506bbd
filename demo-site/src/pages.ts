import { readFile } from 'node:fs/promises';

const PUBLIC_DIR = new URL('../public/', import.meta.url);

const ASSET_TYPES: Readonly<Record<string, string>> = {
  'app.css': 'text/css; charset=utf-8',
  'app.js': 'text/javascript; charset=utf-8',
  'login.js': 'text/javascript; charset=utf-8',
  'markdown.js': 'text/javascript; charset=utf-8',
  'favicon.svg': 'image/svg+xml',
};

export interface Asset {
  type: string;
  body: string;
}

/** The web UI: plain HTML/CSS/JS files from demo-site/public, read once at startup. */
export interface Pages {
  login: string;
  challenge: string;
  /** The plain page a banned account's session sees instead of the app. */
  suspended(message: string): string;
  app(values: { csrfToken: string; username: string }): string;
  asset(name: string): Asset | undefined;
}

function escapeHtml(value: string): string {
  return value.replace(/[&<>"']/g, (ch) => `&#${ch.charCodeAt(0)};`);
}

const SUSPENDED_PAGE = `<!doctype html>
<html lang="en">
  <head>
    <meta charset="utf-8" />
    <title>Account suspended</title>
  </head>
  <body>
    <main data-testid="account-banned">
      <h1>Account suspended</h1>
      <p data-testid="account-banned-reason">{{message}}</p>
    </main>
  </body>
</html>
`;

export async function loadPages(): Promise<Pages> {
  const read = (name: string) => readFile(new URL(name, PUBLIC_DIR), 'utf8');
  const [login, challenge, app] = await Promise.all([
    read('login.html'),
    read('challenge.html'),
    read('app.html'),
  ]);
  const assets = new Map<string, Asset>();
  for (const [name, type] of Object.entries(ASSET_TYPES)) assets.set(name, { type, body: await read(name) });
  return {
    login,
    challenge,
    suspended: (message) => SUSPENDED_PAGE.replace('{{message}}', escapeHtml(message)),
    app: ({ csrfToken, username }) =>
      app.replaceAll('{{csrfToken}}', escapeHtml(csrfToken)).replaceAll('{{username}}', escapeHtml(username)),
    asset: (name) => assets.get(name),
  };
}
