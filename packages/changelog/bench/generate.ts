/**
 * A large, realistic changelog: `## [X.Y.Z] - date` sections newest first with Added/Changed/Fixed
 * (and the odd prerelease), nested bullets, and a compare link for every version at the bottom.
 */
export function generateChangelog(
  targetBytes: number,
  repo = 'https://github.com/acme/app',
): { text: string; versions: string[] } {
  const releases: { version: string; body: string }[] = [];
  let size = 0;
  for (let i = 0; size < targetBytes; i++) {
    const version = `${Math.floor(i / 100)}.${Math.floor(i / 10) % 10}.${i % 10}`;
    const body = [
      '### Added',
      '',
      `- **Feature ${i}**: discovery across tenancies, with a token bucket rate limit of ${i % 50} requests per second`,
      '  - configurable with `DISCOVERY_RATE_LIMIT_RPS` or `discovery.rate_limit_rps`',
      '  - retries on 429 with exponential backoff, up to 8 attempts',
      `- Support for tag filter number ${i}, matching freeform and defined tags`,
      '',
      '### Changed',
      '',
      `- Dependency update: golang.org/x/time v0.${i % 9}.0 for the token bucket`,
      '',
      '### Fixed',
      '',
      `- Compartments no longer skip permanently after a 429 (issue #${i})`,
      '- Transient API failures are retried instead of failing discovery',
      '',
    ].join('\n');
    releases.push({ version, body });
    size += body.length + 120;
    if (i % 20 === 19) {
      releases.push({
        version: `${Math.floor((i + 1) / 100)}.${Math.floor((i + 1) / 10) % 10}.${(i + 1) % 10}-rc.1`,
        body: '### Fixed\n\n- release candidate fix\n',
      });
    }
  }
  releases.reverse();
  const versions = releases.map((r) => r.version);
  const lines = [
    '# Changelog',
    '',
    'All notable changes to this project will be documented in this file.',
    '',
    '## [Unreleased]',
    '',
    '### Fixed',
    '',
    '- a fix waiting for release',
    '',
  ];
  releases.forEach((r, i) =>
    lines.push(
      `## [${r.version}] - 20${String(10 + (i % 80)).padStart(2, '0')}-0${1 + (i % 9)}-1${i % 10}`,
      '',
      r.body,
    ),
  );
  lines.push(`[Unreleased]: ${repo}/compare/v${versions[0]}...HEAD`);
  versions.forEach((v, i) => {
    // A final release compares with the release before its own candidates.
    const previous = versions.slice(i + 1, i + 3).find((p) => !p.startsWith(`${v}-`));
    lines.push(
      previous
        ? `[${v}]: ${repo}/compare/v${previous}...v${v}`
        : `[${v}]: ${repo}/releases/tag/v${v}`,
    );
  });
  return { text: `${lines.join('\n')}\n`, versions };
}
