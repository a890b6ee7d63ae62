import type { Command } from 'commander';

export interface CommandModule {
  register(program: Command): void;
}

export interface CommandEntry {
  name: string;
  summary: string;
  load(): Promise<CommandModule>;
}

/** Every top-level command; a command's module (and its library) loads only when that command runs. */
export const COMMANDS: readonly CommandEntry[] = [
  {
    name: 'release',
    summary:
      'run the whole release: changelog, GitHub release, build, TUF signing, publish, verify',
    load: () => import('./release'),
  },
  {
    name: 'changelog',
    summary: 'Keep a Changelog: promote Unreleased, release notes, validate, next version',
    load: () => import('./changelog'),
  },
  {
    name: 'verify',
    summary: 'verify images, attestations, SLSA provenance, bundles and whole releases',
    load: () => import('./verify'),
  },
  {
    name: 'tuf',
    summary: 'TUF-on-CI: verify metadata, signing events, release targets, signers',
    load: () => import('./tuf'),
  },
  {
    name: 'gh',
    summary: 'GitHub helpers: releases, workflow runs, pull requests',
    load: () => import('./gh'),
  },
  {
    name: 'demo',
    summary: 'run a whole release end to end in a local sandbox (no account, no network)',
    load: () => import('./demo'),
  },
];
