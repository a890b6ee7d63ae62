import type { SemVer } from '@oci-sd/core';
import type { LinkStyle } from './links';
import type { Heading, LinkDefinition, Section } from './parse';

/** What the link references say about the repository: its base URL and how versions become tags. */
export interface RepositoryInfo {
  base: string;
  tagPrefix: string;
  /** How the file's links write a comparison. */
  style: LinkStyle;
}

/**
 * The read-only view of a parsed changelog that promote, notes, next, validate and the edits work
 * on. `Changelog` implements it; the helpers depend on this view, never on the class, so the class
 * and its helpers import each other in one direction only.
 */
export interface ChangelogDocument {
  readonly file?: string;
  readonly text: string;
  readonly bytes: Uint8Array;
  readonly invalidUtf8: boolean;
  readonly eol: '\n' | '\r\n';
  readonly title?: Heading;
  readonly versionIndex: number;
  readonly preambleEndLine: number;
  readonly lineCount: number;
  readonly sections: readonly Section[];
  readonly releases: readonly Section[];
  readonly links: readonly LinkDefinition[];
  line(index: number): string;
  lineKind(index: number): number;
  lineEnding(index: number): string;
  lineOffset(index: number): number;
  lineByteOffset(index: number): number;
  positionAt(offset: number): { line: number; column: number };
  unreleasedSections(): Section[];
  firstListedRelease(): Section | undefined;
  latestRelease(): Section | undefined;
  previousRelease(version: SemVer): Section | undefined;
  findRelease(version: string | SemVer): Section | undefined;
  link(label: string): LinkDefinition | undefined;
  repository(): RepositoryInfo | undefined;
}
