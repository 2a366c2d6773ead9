// A minimal static server for the tests and the benchmark: the web root at /, and named directories mounted at
// prefixes (e.g. a model directory at /model/). Binds 127.0.0.1 on a free port. Pages are cross-origin
// isolated (COOP/COEP), which gives performance.now() its fine resolution, as `pianogenie web` does.
import {createReadStream, statSync} from 'node:fs';
import {createServer} from 'node:http';
import {extname, join, normalize, resolve, sep} from 'node:path';

const TYPES = {
  '.html': 'text/html; charset=utf-8', '.js': 'text/javascript; charset=utf-8', '.mjs': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8', '.json': 'application/json', '.wasm': 'application/wasm', '.bin': 'application/octet-stream',
  '.svg': 'image/svg+xml', '.png': 'image/png',
};

function resolveUnder(root, rel) {
  const path = normalize(join(root, rel));
  return path === root || path.startsWith(root.endsWith(sep) ? root : root + sep) ? path : null;
}

/** files: exact paths served as given, e.g. {'/soundfont.sf2': {path: FILE}, '/soundfont.json': {body, type}}. */
export async function startServer(webRoot, mountDirs = {}, files = {}) {
  const root = resolve(webRoot);
  const mounts = Object.fromEntries(Object.entries(mountDirs).map(([prefix, dir]) => [prefix, resolve(dir)]));
  const server = createServer((req, res) => {
    const pathname = decodeURIComponent(new URL(req.url, 'http://localhost').pathname);
    // connection: close, because a test may sit longer than the keep-alive timeout between two fetches (a
    // model's 128 fixture steps on a loaded machine): Node's fetch would then reuse a socket the server is
    // closing, and fail ("fetch failed") at random.
    const headers = {'cache-control': 'no-store', 'cross-origin-opener-policy': 'same-origin',
      'cross-origin-embedder-policy': 'require-corp', connection: 'close'};
    const file = Object.hasOwn(files, pathname) ? files[pathname] : null;
    if (file?.body !== undefined) {
      res.writeHead(200, {...headers, 'content-type': file.type ?? 'application/octet-stream'}).end(file.body);
      return;
    }
    let base = root;
    let rel = pathname;
    for (const [prefix, dir] of Object.entries(mounts)) {
      if (pathname.startsWith(prefix)) {
        base = dir;
        rel = pathname.slice(prefix.length);
        break;
      }
    }
    let path = file ? file.path : resolveUnder(base, rel);
    try {
      if (path && statSync(path).isDirectory()) path = join(path, 'index.html');
      if (!path || !statSync(path).isFile()) throw new Error('not a file');
    } catch {
      res.writeHead(404, {...headers, 'content-type': 'text/plain'}).end('not found');
      return;
    }
    res.writeHead(200, {...headers, 'content-type': TYPES[extname(path)] ?? 'application/octet-stream'});
    createReadStream(path).pipe(res);
  });
  await new Promise((ok) => server.listen(0, '127.0.0.1', ok));
  const url = `http://127.0.0.1:${server.address().port}`;
  return {url, close: () => new Promise((ok) => { server.closeAllConnections(); server.close(ok); })};
}
