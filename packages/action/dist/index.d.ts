import { ReleaseNotes } from '@oci-sd/changelog';
import { ReleaseManifestInput, AddReleaseTargetResult } from '@oci-sd/tuf';

type Env = Readonly<Record<string, string | undefined>>;
/** The release a `release` event carries (the fields the commands use). */
interface ReleaseEvent {
    id: number;
    tag_name: string;
    html_url?: string;
    upload_url?: string;
    published_at?: string;
}
/**
 * The run as the runner describes it in `GITHUB_*` variables and the event payload. Each
 * value is read when asked for, so a command fails only for what it actually needs, naming
 * the variable.
 */
declare class GitHubContext {
    private readonly env;
    private eventPayload?;
    constructor(env?: Env);
    private require;
    get serverUrl(): string;
    get apiUrl(): string;
    /** `OWNER/REPO`, when the run states it. */
    get repositoryIfKnown(): string | undefined;
    /** `OWNER/REPO` */
    get repository(): string;
    get runId(): string;
    get runUrl(): string;
    get sha(): string;
    get workflow(): string;
    /** Path of the running workflow file, from `GITHUB_WORKFLOW_REF` (`OWNER/REPO/PATH@REF`). */
    get workflowPath(): string | undefined;
    /** The workflow that signs the image: the input, else this run's workflow, else `docker-build-push.yml`. */
    signingWorkflowPath(input: string | undefined): string;
    get workspace(): string;
    /** A path from an input: relative ones are relative to the workspace, as in workflow files. */
    resolvePath(path: string): string;
    /** Scratch space the runner cleans up. */
    get temp(): string;
    get event(): Record<string, unknown>;
    /** The release of a `release` event, if the run has one. */
    get release(): ReleaseEvent | undefined;
    /** The tag being released: the `tag` input, else the release event's tag, else a `refs/tags/` ref. */
    tag(input: string | undefined): string;
}

/** What a command needs from the runner; `@actions/core` in production, the same calls in tests. */
interface ActionIO {
    getInput(name: string, options?: {
        required?: boolean;
    }): string;
    setOutput(name: string, value: string): void;
    setSecret(secret: string): void;
    info(message: string): void;
    /** A warning annotation (`::warning::`). */
    warning(message: string): void;
    /** An annotation on a line of a file (`::error file=…,line=…,col=…::message`). */
    annotate(severity: 'error' | 'warning', message: string, where: {
        file: string;
        line: number;
        column: number;
    }): void;
    /** Appends markdown to the job summary (`GITHUB_STEP_SUMMARY`). */
    appendSummary(markdown: string): Promise<void>;
    /**
     * An OIDC token for `sign`/`attest`. Absent: the runner's token endpoint
     * (ACTIONS_ID_TOKEN_REQUEST_URL, `permissions: id-token: write`), with retries.
     */
    getIDToken?(audience: string): Promise<string>;
}

type ActionCommand = (io: ActionIO, context: GitHubContext) => Promise<void>;
/**
 * The commands the action runs, selected by the `command` input. Each is imported when run, so
 * a step initialises only its own libraries (release notes never load sigstore-js).
 */
declare const ACTION_COMMANDS: Readonly<Record<string, () => Promise<ActionCommand>>>;
declare function runCommand(io: ActionIO, context?: GitHubContext): Promise<void>;

type ActionErrorCode = 
/** An input is missing or malformed. */
'INVALID_INPUT'
/** The runner environment lacks something the command needs (GITHUB_* variable, event field). */
 | 'MISSING_CONTEXT'
/** A git command (clone, fetch, config) failed; git's message is kept, tokens removed. */
 | 'GIT'
/** Verification ran and did not pass. */
 | 'VERIFICATION_FAILED'
/** An immutable release already holds an asset of that name that this run cannot stand behind (another build, or malformed). */
 | 'RELEASE_ASSET_CONFLICT';
interface ActionErrorDetails {
    expected?: unknown;
    found?: unknown;
    cause?: unknown;
}
/** The one error class of @oci-sd/action; library errors pass through with their own class. */
declare class ActionError extends Error {
    readonly code: ActionErrorCode;
    readonly expected?: unknown;
    readonly found?: unknown;
    constructor(code: ActionErrorCode, message: string, details?: ActionErrorDetails);
}

interface ReleaseNotesRequest {
    changelogPath: string;
    tag: string;
    /** `OWNER/REPO` for the Full Changelog link; read from the changelog's links when absent. */
    repository?: string | undefined;
    serverUrl?: string | undefined;
    tagPrefix?: string;
}
/** The release notes of a tag from CHANGELOG.md, ending with the Full Changelog link. */
declare function releaseNotesFor(request: ReleaseNotesRequest): Promise<ReleaseNotes>;

/** release-metadata.json: the release asset and the predicate of the project's custom attestation. */
interface ReleaseMetadata {
    version: string;
    tag: string;
    image: string;
    digest: string;
    commit: string;
    workflow: string;
    run_id: string;
    run_url: string;
    release_url: string;
    built_at: string;
}
interface ReleaseMetadataInput {
    tag: string;
    image: string;
    digest: string;
    commit: string;
    workflow: string;
    runId: string;
    /** `https://github.com/OWNER/REPO` (GitHub Enterprise: its server URL). */
    repositoryUrl: string;
    /** The release page; `<repositoryUrl>/releases/tag/<tag>` when absent. */
    releaseUrl?: string;
    builtAt: Date;
}
/** The document in release-metadata's published field order (the order is part of the bytes). */
declare function releaseMetadata(input: ReleaseMetadataInput): ReleaseMetadata;
declare function formatReleaseMetadata(metadata: ReleaseMetadata): string;
/** Predicate type of the release-metadata attestation: `https://github.com/OWNER/REPO/release-metadata`. */
declare function releaseMetadataPredicateType(repositoryUrl: string): string;

interface TufPublishRequest {
    /** A TUF-on-CI repository: `OWNER/REPO` on the GitHub server, or any git URL or path. */
    tufRepository: string;
    /** A checkout to work in instead of a fresh clone (e.g. from actions/checkout). */
    checkout?: string;
    manifest: ReleaseManifestInput;
    base: string;
    /** Re-point a tag already listed with another image digest (refused otherwise). */
    replace?: boolean;
    token?: string | undefined;
    serverUrl: string;
    scratch: string;
}
interface TufPublishResult extends AddReleaseTargetResult {
    /** Where a person finds the signing event's pull request, when the remote is on GitHub. */
    signingPullRequestsUrl?: string;
}
/**
 * The release process's "Publish to TUF signing repository" step: write the release manifest, list it in
 * targets.json on `sign/release-<version>-<run id>` and push that branch (TUF-on-CI then opens
 * the signing PR). A re-run with the same manifest pushes nothing.
 */
declare function publishToTuf(request: TufPublishRequest): Promise<TufPublishResult>;

/** A row of the job summary table: a label and markdown (use `code()` or `link()` for values). */
type SummaryRow = readonly [label: string, markdown: string];
/** The release job's summary: a heading and a two-column table (image with digest, TUF manifest, signing PR, ...). */
declare function summaryTable(heading: string, rows: readonly SummaryRow[]): string;

export { ACTION_COMMANDS, ActionError, GitHubContext, formatReleaseMetadata, publishToTuf, releaseMetadata, releaseMetadataPredicateType, releaseNotesFor, runCommand, summaryTable };
export type { ActionCommand, ActionErrorCode, ActionErrorDetails, ActionIO, ReleaseEvent, ReleaseMetadata, ReleaseMetadataInput, ReleaseNotesRequest, TufPublishRequest, TufPublishResult };
