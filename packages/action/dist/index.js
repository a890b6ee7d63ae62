import {
  releaseNotesFor
} from "./chunk-DSLGXES6.js";
import {
  formatReleaseMetadata,
  releaseMetadata,
  releaseMetadataPredicateType
} from "./chunk-AQOBQE7Y.js";
import {
  publishToTuf
} from "./chunk-53RH2ORN.js";
import {
  ActionError,
  summaryTable
} from "./chunk-5XYT2ALU.js";

// src/context.ts
import { readFileSync } from "fs";
import { tmpdir } from "os";
import { isAbsolute, join } from "path";
var DEFAULT_SIGNING_WORKFLOW = ".github/workflows/docker-build-push.yml";
var GitHubContext = class {
  constructor(env = process.env) {
    this.env = env;
  }
  env;
  eventPayload;
  require(name, meaning) {
    const value = this.env[name];
    if (!value)
      throw new ActionError(
        "MISSING_CONTEXT",
        `environment variable ${name} (${meaning}) is not set; run inside GitHub Actions or set it`,
        { expected: meaning, found: "unset" }
      );
    return value;
  }
  get serverUrl() {
    return (this.env.GITHUB_SERVER_URL ?? "https://github.com").replace(/\/+$/, "");
  }
  get apiUrl() {
    return (this.env.GITHUB_API_URL ?? "https://api.github.com").replace(/\/+$/, "");
  }
  /** `OWNER/REPO`, when the run states it. */
  get repositoryIfKnown() {
    return this.env.GITHUB_REPOSITORY || void 0;
  }
  /** `OWNER/REPO` */
  get repository() {
    return this.require("GITHUB_REPOSITORY", "OWNER/REPO of the workflow run");
  }
  get runId() {
    return this.require("GITHUB_RUN_ID", "the workflow run id");
  }
  get runUrl() {
    return `${this.serverUrl}/${this.repository}/actions/runs/${this.runId}`;
  }
  get sha() {
    return this.require("GITHUB_SHA", "the commit the run builds");
  }
  get workflow() {
    return this.require("GITHUB_WORKFLOW", "the workflow name");
  }
  /** Path of the running workflow file, from `GITHUB_WORKFLOW_REF` (`OWNER/REPO/PATH@REF`). */
  get workflowPath() {
    const ref = this.env.GITHUB_WORKFLOW_REF;
    const match = ref ? /^[^/]+\/[^/]+\/(.+)@[^@]+$/.exec(ref) : null;
    return match?.[1];
  }
  /** The workflow that signs the image: the input, else this run's workflow, else the seed's. */
  signingWorkflowPath(input) {
    return input ?? this.workflowPath ?? DEFAULT_SIGNING_WORKFLOW;
  }
  get workspace() {
    return this.env.GITHUB_WORKSPACE ?? process.cwd();
  }
  /** A path from an input: relative ones are relative to the workspace, as in workflow files. */
  resolvePath(path) {
    return isAbsolute(path) ? path : join(this.workspace, path);
  }
  /** Scratch space the runner cleans up. */
  get temp() {
    return this.env.RUNNER_TEMP ?? tmpdir();
  }
  get event() {
    if (this.eventPayload) return this.eventPayload;
    const path = this.env.GITHUB_EVENT_PATH;
    if (!path) return this.eventPayload = {};
    try {
      const parsed = JSON.parse(readFileSync(path, "utf8"));
      this.eventPayload = parsed !== null && typeof parsed === "object" ? parsed : {};
    } catch (error) {
      throw new ActionError(
        "MISSING_CONTEXT",
        `GITHUB_EVENT_PATH ${path}: cannot read the event payload (${error.message})`,
        { cause: error }
      );
    }
    return this.eventPayload;
  }
  /** The release of a `release` event, if the run has one. */
  get release() {
    const release = this.event.release;
    return release && typeof release.id === "number" && typeof release.tag_name === "string" ? release : void 0;
  }
  /** The tag being released: the `tag` input, else the release event's tag, else a `refs/tags/` ref. */
  tag(input) {
    if (input) return input;
    if (this.release) return this.release.tag_name;
    const ref = this.env.GITHUB_REF;
    if (ref?.startsWith("refs/tags/")) return ref.slice("refs/tags/".length);
    throw new ActionError(
      "MISSING_CONTEXT",
      'no tag: set the "tag" input, or run on a release event or a tag push',
      {
        expected: "input tag, event.release.tag_name or GITHUB_REF=refs/tags/<tag>",
        found: ref ?? "nothing"
      }
    );
  }
};

// src/commands.ts
var ACTION_COMMANDS = {
  "release-notes": async () => (await import("./release-notes-QVG7KJLF.js")).releaseNotesCommand,
  "release-metadata": async () => (await import("./release-metadata-NSQHBEGD.js")).releaseMetadataCommand,
  "tuf-publish": async () => (await import("./tuf-publish-G73WMAJM.js")).tufPublishCommand,
  sign: async () => (await import("./attest-XBWNW6LG.js")).signCommand,
  attest: async () => (await import("./attest-XBWNW6LG.js")).attestCommand,
  verify: async () => (await import("./verify-T22VDUMO.js")).verifyCommand
};
async function runCommand(io, context = new GitHubContext()) {
  const token = io.getInput("token");
  if (token) io.setSecret(token);
  const name = io.getInput("command", { required: true }).trim();
  const load = Object.hasOwn(ACTION_COMMANDS, name) ? ACTION_COMMANDS[name] : void 0;
  if (!load) {
    const known = Object.keys(ACTION_COMMANDS).join(", ");
    throw new ActionError(
      "INVALID_INPUT",
      `input "command": expected one of ${known}, found "${name}"`,
      { expected: known, found: name }
    );
  }
  const command = await load();
  await command(io, context);
}
export {
  ACTION_COMMANDS,
  ActionError,
  GitHubContext,
  formatReleaseMetadata,
  publishToTuf,
  releaseMetadata,
  releaseMetadataPredicateType,
  releaseNotesFor,
  runCommand,
  summaryTable
};
