import {
  copyFileSync,
  existsSync,
  mkdirSync,
  readdirSync,
  readFileSync,
  renameSync,
  rmSync,
  statSync,
} from 'node:fs';
import { createServer, type Server } from 'node:http';
import { dirname, join, normalize, sep } from 'node:path';

/**
 * What TUF-on-CI's publish workflow deploys to GitHub Pages, built from a checkout of main:
 * consistent-snapshot names (`N.root.json` for every root, `V.snapshot.json`, `V.<role>.json`,
 * unversioned `timestamp.json`) and artifacts as `targets/<dir>/<sha256>.<name>`. The new site is
 * assembled beside the old one and swapped in with a rename, so readers never see half a site.
 */
export function publishSite(checkout: string, siteDir: string): void {
  const next = `${siteDir}.next`;
  rmSync(next, { recursive: true, force: true });
  const metadataOut = join(next, 'metadata');
  mkdirSync(metadataOut, { recursive: true });
  const metadata = join(checkout, 'metadata');
  for (const name of readdirSync(join(metadata, 'root_history')))
    copyFileSync(join(metadata, 'root_history', name), join(metadataOut, name));
  copyFileSync(join(metadata, 'timestamp.json'), join(metadataOut, 'timestamp.json'));
  const snapshot = JSON.parse(readFileSync(join(metadata, 'snapshot.json'), 'utf8')) as {
    signed: { version: number; meta: Record<string, { version: number }> };
  };
  copyFileSync(
    join(metadata, 'snapshot.json'),
    join(metadataOut, `${snapshot.signed.version}.snapshot.json`),
  );
  for (const [file, { version }] of Object.entries(snapshot.signed.meta)) {
    copyFileSync(join(metadata, file), join(metadataOut, `${version}.${file}`));
    const role = JSON.parse(readFileSync(join(metadata, file), 'utf8')) as {
      signed: { targets?: Record<string, { hashes: { sha256: string } }> };
    };
    for (const [name, info] of Object.entries(role.signed.targets ?? {})) {
      const parts = name.split('/');
      const out = join(
        next,
        'targets',
        ...parts.slice(0, -1),
        `${info.hashes.sha256}.${parts.at(-1)}`,
      );
      mkdirSync(dirname(out), { recursive: true });
      copyFileSync(join(checkout, 'targets', ...parts), out);
    }
  }
  const old = `${siteDir}.old`;
  rmSync(old, { recursive: true, force: true });
  if (existsSync(siteDir)) renameSync(siteDir, old);
  renameSync(next, siteDir);
  rmSync(old, { recursive: true, force: true });
}

/** A static file server for the published site (GitHub Pages on loopback). */
export async function servePages(
  siteDir: string,
): Promise<{ url: string; server: Server; requests: () => number }> {
  let requests = 0;
  const server = createServer((req, res) => {
    requests++;
    const path = normalize(
      join(siteDir, decodeURIComponent(new URL(req.url ?? '/', 'http://x').pathname)),
    );
    if (!path.startsWith(siteDir + sep) || !existsSync(path) || !statSync(path).isFile()) {
      res.writeHead(404).end('Not Found');
      return;
    }
    const body = readFileSync(path);
    res
      .writeHead(200, { 'content-type': 'application/json', 'content-length': body.length })
      .end(body);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const address = server.address();
  return {
    url: `http://127.0.0.1:${typeof address === 'object' && address ? address.port : 0}/`,
    server,
    requests: () => requests,
  };
}
