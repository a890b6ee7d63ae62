var __defProp = Object.defineProperty;
var __getOwnPropNames = Object.getOwnPropertyNames;
var __esm = (fn, res, err) => function __init() {
  if (err) throw err[0];
  try {
    return fn && (res = (0, fn[__getOwnPropNames(fn)[0]])(fn = 0)), res;
  } catch (e) {
    throw err = [e], e;
  }
};
var __export = (target, all) => {
  for (var name in all)
    __defProp(target, name, { get: all[name], enumerable: true });
};

// src/errors.ts
var ActionError;
var init_errors = __esm({
  "src/errors.ts"() {
    "use strict";
    ActionError = class extends Error {
      code;
      expected;
      found;
      constructor(code2, message, details = {}) {
        super(message, details.cause === void 0 ? void 0 : { cause: details.cause });
        this.name = "ActionError";
        this.code = code2;
        if ("expected" in details) this.expected = details.expected;
        if ("found" in details) this.found = details.found;
      }
    };
  }
});

// src/io.ts
function optionalInput(io, name) {
  const value = io.getInput(name).trim();
  return value === "" ? void 0 : value;
}
function requiredInput(io, name, what) {
  const value = optionalInput(io, name);
  if (value === void 0)
    throw new ActionError("INVALID_INPUT", `input "${name}" is required: ${what}`, {
      expected: what,
      found: ""
    });
  return value;
}
function booleanInput(io, name, fallback) {
  const value = optionalInput(io, name);
  if (value === void 0) return fallback;
  if (["true", "True", "TRUE"].includes(value)) return true;
  if (["false", "False", "FALSE"].includes(value)) return false;
  throw new ActionError(
    "INVALID_INPUT",
    `input "${name}": expected true or false, found "${value}"`,
    { expected: "true | false", found: value }
  );
}
function listInput(io, name) {
  return (optionalInput(io, name) ?? "").split(/[\n,]/).map((item) => item.trim()).filter((item) => item !== "");
}
function digestInput(io, name) {
  const value = requiredInput(io, name, "the pushed image digest, sha256:<64 hex>");
  if (!DIGEST.test(value))
    throw new ActionError(
      "INVALID_INPUT",
      `input "${name}": expected sha256:<64 lowercase hex>, found "${value}"`,
      { expected: "sha256:<64 hex>", found: value }
    );
  return value;
}
function imageRepositoryInput(io) {
  const image = requiredInput(io, "image", "the image repository, e.g. ghcr.io/OWNER/REPO");
  if (/[@\s]/.test(image) || /:[^/]*$/.test(image)) {
    throw new ActionError(
      "INVALID_INPUT",
      `input "image": expected a repository without tag or digest, found "${image}"`,
      { expected: "ghcr.io/OWNER/REPO", found: image }
    );
  }
  return image;
}
var DIGEST;
var init_io = __esm({
  "src/io.ts"() {
    "use strict";
    init_errors();
    DIGEST = /^sha256:[0-9a-f]{64}$/;
  }
});

// src/summary.ts
function summaryTable(heading, rows) {
  const lines = [
    `### ${heading}`,
    "",
    "| | |",
    "| --- | --- |",
    ...rows.map(([label, value]) => `| ${cell(label)} | ${value} |`)
  ];
  return `${lines.join("\n")}

`;
}
function code(text) {
  const fence = text.includes("`") ? "``" : "`";
  return `${fence}${cell(text)}${fence}`;
}
function plain(text) {
  return cell(text).replace(/[\\`*_[\]<>]/g, "\\$&");
}
function link(text, url) {
  return `[${cell(text).replace(/[[\]]/g, "\\$&")}](${url.replace(/[()\s]/g, encodeURIComponent)})`;
}
function cell(text) {
  return text.replace(/\|/g, "\\|").replace(/\r?\n/g, " ");
}
var init_summary = __esm({
  "src/summary.ts"() {
    "use strict";
  }
});

// src/commands/release-notes.ts
var release_notes_exports = {};
__export(release_notes_exports, {
  releaseNotesCommand: () => releaseNotesCommand,
  releaseNotesFor: () => releaseNotesFor
});
import { readChangelog } from "@oci-sd/changelog";
import { writeFileAtomic } from "@oci-sd/core";
async function releaseNotesFor(request) {
  const changelog = await readChangelog(request.changelogPath);
  return changelog.notes(request.tag, {
    ...request.repository ? { repo: request.repository } : {},
    ...request.serverUrl ? { serverUrl: request.serverUrl } : {},
    ...request.tagPrefix !== void 0 ? { tagPrefix: request.tagPrefix } : {}
  });
}
async function releaseNotesCommand(io, context) {
  const tagPrefix = optionalInput(io, "tag-prefix");
  const notes = await releaseNotesFor({
    changelogPath: context.resolvePath(optionalInput(io, "changelog") ?? "CHANGELOG.md"),
    tag: context.tag(optionalInput(io, "tag")),
    repository: context.repositoryIfKnown,
    serverUrl: context.serverUrl,
    ...tagPrefix !== void 0 ? { tagPrefix } : {}
  });
  const notesFile = optionalInput(io, "notes-file");
  if (notesFile) await writeFileAtomic(context.resolvePath(notesFile), notes.body);
  io.setOutput("notes", notes.body);
  io.setOutput("tag", notes.tag);
  io.setOutput("version", notes.version);
  io.setOutput("previous-tag", notes.previousTag ?? "");
  io.setOutput("full-changelog-url", notes.fullChangelogUrl);
  io.setOutput("prerelease", String(notes.prerelease));
  if (notesFile) io.setOutput("notes-file", context.resolvePath(notesFile));
  io.setOutput("result", JSON.stringify(notes));
  io.info(
    `release notes for ${notes.tag}: ${notes.body.length} characters${notes.previousTag ? `, since ${notes.previousTag}` : ""}`
  );
  await io.appendSummary(
    summaryTable(`Release notes for ${notes.tag}`, [
      ["Version", code(notes.version)],
      ["Previous tag", notes.previousTag ? code(notes.previousTag) : "none (first release)"],
      ["Full Changelog", link(notes.fullChangelogUrl, notes.fullChangelogUrl)]
    ]) + `<details><summary>Notes</summary>

${notes.body}

</details>

`
  );
}
var init_release_notes = __esm({
  "src/commands/release-notes.ts"() {
    "use strict";
    init_io();
    init_summary();
  }
});

// src/commands/changelog-validate.ts
var changelog_validate_exports = {};
__export(changelog_validate_exports, {
  changelogValidateCommand: () => changelogValidateCommand
});
import { relative } from "path";
import { ChangelogError, readChangelog as readChangelog2 } from "@oci-sd/changelog";
function versionIndexInput(io) {
  const value = optionalInput(io, "version-index");
  if (value === void 0) return void 0;
  if (!/^\d+$/.test(value))
    throw new ActionError(
      "INVALID_INPUT",
      `input "version-index": expected 0, 1, 2, ..., found "${value}"`,
      { expected: "a non-negative integer", found: value }
    );
  return Number(value);
}
function problemTable(file, problems) {
  const rows = problems.slice(0, LISTED).map(
    (p) => `| ${code(`${file}:${p.line}:${p.column}`)} | ${p.severity} | ${code(p.code)} | ${plain(p.message)} |`
  );
  const more = problems.length > LISTED ? `

${problems.length - LISTED} more not shown.` : "";
  return `| where | severity | code | problem |
| --- | --- | --- | --- |
${rows.join("\n")}${more}

`;
}
async function changelogValidateCommand(io, context) {
  const path = context.resolvePath(optionalInput(io, "changelog") ?? "CHANGELOG.md");
  const strict = booleanInput(io, "strict", false);
  const changeTypes = listInput(io, "change-types");
  const versionIndex = versionIndexInput(io);
  const shown = relative(context.workspace, path) || path;
  const changelog = await readChangelog2(path, versionIndex !== void 0 ? { versionIndex } : {});
  const problems = changelog.validate({
    strict,
    ...changeTypes.length ? { changeTypes } : {}
  });
  const errors = problems.filter((p) => p.severity === "error").length;
  const warnings = problems.length - errors;
  for (const p of problems.slice(0, LISTED))
    io.annotate(p.severity, `${p.message} [${p.code}]`, {
      file: shown,
      line: p.line,
      column: p.column
    });
  io.setOutput("valid", String(errors === 0));
  io.setOutput("result", JSON.stringify({ file: shown, valid: errors === 0, problems }));
  const verdict = errors ? `${errors} error${errors === 1 ? "" : "s"}, ${warnings} warning${warnings === 1 ? "" : "s"}` : problems.length ? `valid, ${warnings} warning${warnings === 1 ? "" : "s"}` : "valid";
  io.info(`${shown}: ${verdict}`);
  await io.appendSummary(
    `### Changelog ${code(shown)}: ${verdict}

${problems.length ? problemTable(shown, problems) : ""}`
  );
  if (errors)
    throw new ChangelogError("INVALID_CHANGELOG", verdict, {
      file: shown,
      expected: "no errors",
      found: errors
    });
}
var LISTED;
var init_changelog_validate = __esm({
  "src/commands/changelog-validate.ts"() {
    "use strict";
    init_errors();
    init_io();
    init_summary();
    LISTED = 50;
  }
});

// src/commands/release-metadata.ts
var release_metadata_exports = {};
__export(release_metadata_exports, {
  formatReleaseMetadata: () => formatReleaseMetadata,
  releaseMetadata: () => releaseMetadata,
  releaseMetadataCommand: () => releaseMetadataCommand,
  releaseMetadataPredicateType: () => releaseMetadataPredicateType
});
import { createHash } from "crypto";
import { basename } from "path";
import { writeFileAtomic as writeFileAtomic2 } from "@oci-sd/core";
import { createGitHubClient, downloadAsset, findRelease, parseRepo, uploadAsset } from "@oci-sd/gh";
function releaseMetadata(input) {
  return {
    version: input.tag.replace(/^v(?=\d)/, ""),
    tag: input.tag,
    image: input.image,
    digest: input.digest,
    commit: input.commit,
    workflow: input.workflow,
    run_id: input.runId,
    run_url: `${input.repositoryUrl}/actions/runs/${input.runId}`,
    release_url: input.releaseUrl ?? `${input.repositoryUrl}/releases/tag/${input.tag}`,
    built_at: input.builtAt.toISOString().replace(/\.\d{3}Z$/, "Z")
  };
}
function formatReleaseMetadata(metadata) {
  return `${JSON.stringify(metadata, null, 2)}
`;
}
function releaseMetadataPredicateType(repositoryUrl) {
  return `${repositoryUrl}/release-metadata`;
}
function compareReleaseMetadata(expected, bytes) {
  let document;
  try {
    document = JSON.parse(Buffer.from(bytes).toString("utf8"));
  } catch (error) {
    return { kind: "malformed", problem: `not JSON (${error.message})` };
  }
  if (typeof document !== "object" || document === null || Array.isArray(document))
    return { kind: "malformed", problem: "not a JSON object" };
  const record = document;
  const missing = BUILD_FIELDS.filter((field) => typeof record[field] !== "string");
  if (missing.length)
    return {
      kind: "malformed",
      problem: `no string field ${missing.map((field) => `"${field}"`).join(", ")}`
    };
  const differences = BUILD_FIELDS.filter((field) => record[field] !== expected[field]).map(
    (field) => ({ field, expected: expected[field], found: record[field] })
  );
  return differences.length ? { kind: "other-build", differences } : { kind: "same-build", bytes: Buffer.from(bytes), document: record };
}
async function publishToRelease(context, token, tag, name, metadata, text) {
  const client = await createGitHubClient({
    token,
    apiUrl: context.apiUrl,
    serverUrl: context.serverUrl,
    ghCli: false
  });
  const repo = parseRepo(context.repository);
  const release = await findRelease(client, repo, tag);
  if (!release) {
    throw new ActionError(
      "MISSING_CONTEXT",
      `no release for tag ${tag} in ${context.repository} to upload ${name} to; create it first or set upload: false`,
      {
        expected: `a release for ${tag}`,
        found: "none"
      }
    );
  }
  const upload = () => uploadAsset(client, repo, release, { name, data: text, contentType: "application/json" });
  const existing = release.assets.find((asset) => asset.name === name);
  if (!existing || existing.digest === `sha256:${createHash("sha256").update(text).digest("hex")}`)
    return upload();
  const comparison = existing.size > MAX_METADATA_BYTES ? {
    kind: "malformed",
    problem: `${existing.size} bytes, more than release metadata ever needs`
  } : await downloadAsset(client, repo, existing, { maxBytes: MAX_METADATA_BYTES }).then(
    (bytes) => compareReleaseMetadata(metadata, bytes)
  );
  if (comparison.kind === "same-build") {
    const { built_at: builtAt, run_id: runId } = comparison.document;
    return {
      asset: existing,
      action: "kept",
      kept: comparison,
      why: `it already records this build (built_at ${String(builtAt)}, run ${String(runId)})`
    };
  }
  const listed = comparison.kind === "malformed" ? [] : comparison.differences.map(
    (d) => `${d.field}: expected ${JSON.stringify(d.expected)} (this run), found ${JSON.stringify(d.found)} (the release asset)`
  );
  if (!release.immutable) {
    return {
      ...await upload(),
      why: comparison.kind === "malformed" ? `it was not release metadata (${comparison.problem})` : `it recorded another build (${listed.join("; ")})`
    };
  }
  const where = `the immutable release ${tag} of ${context.repository}`;
  if (comparison.kind === "malformed") {
    throw new ActionError(
      "RELEASE_ASSET_CONFLICT",
      `${where} holds a ${name} that is not release metadata (${comparison.problem}); it cannot be replaced: release a new version`,
      {
        expected: `a JSON object with ${BUILD_FIELDS.join(", ")}`,
        found: comparison.problem
      }
    );
  }
  throw new ActionError(
    "RELEASE_ASSET_CONFLICT",
    `${where} holds a ${name} recording another build; ${listed.join("; ")}. Immutable release assets cannot change: release a new version`,
    {
      expected: Object.fromEntries(comparison.differences.map((d) => [d.field, d.expected])),
      found: Object.fromEntries(comparison.differences.map((d) => [d.field, d.found]))
    }
  );
}
async function releaseMetadataCommand(io, context) {
  const image = imageRepositoryInput(io);
  const digest = digestInput(io, "digest");
  const tag = context.tag(optionalInput(io, "tag"));
  const repositoryUrl = `${context.serverUrl}/${context.repository}`;
  const metadata = releaseMetadata({
    tag,
    image,
    digest,
    commit: context.sha,
    workflow: context.workflow,
    runId: context.runId,
    repositoryUrl,
    ...context.release?.html_url ? { releaseUrl: context.release.html_url } : {},
    builtAt: /* @__PURE__ */ new Date()
  });
  const path = context.resolvePath(optionalInput(io, "metadata-file") ?? "release-metadata.json");
  const text = formatReleaseMetadata(metadata);
  const published = booleanInput(io, "upload", context.release !== void 0) ? await publishToRelease(context, io.getInput("token"), tag, basename(path), metadata, text) : void 0;
  await writeFileAtomic2(path, published?.kept?.bytes ?? text);
  const recorded = published?.kept?.document ?? metadata;
  io.setOutput("metadata-file", path);
  io.setOutput("asset-url", published?.asset.downloadUrl ?? "");
  io.setOutput("asset-action", published?.action ?? "");
  io.setOutput("predicate-type", releaseMetadataPredicateType(repositoryUrl));
  io.setOutput("result", JSON.stringify(recorded));
  const why = published?.why ? ` (${published.why}${published.kept ? `; ${path} holds its bytes` : ""})` : "";
  io.info(
    `wrote ${path} for ${tag} (${image}@${digest})${published ? `; release asset ${published.action}: ${published.asset.downloadUrl}${why}` : ""}`
  );
  await io.appendSummary(
    summaryTable(`Release metadata for ${tag}`, [
      ["Image", code(`${image}@${digest}`)],
      ["Commit", code(metadata.commit)],
      ["Release", link(metadata.release_url, metadata.release_url)],
      ["File", code(path)],
      [
        "Release asset",
        published ? `${link(published.asset.name, published.asset.downloadUrl)} (${published.action}${published.why ? `: ${plain(published.why)}` : ""})` : "not uploaded"
      ]
    ])
  );
}
var BUILD_FIELDS, MAX_METADATA_BYTES;
var init_release_metadata = __esm({
  "src/commands/release-metadata.ts"() {
    "use strict";
    init_errors();
    init_io();
    init_summary();
    BUILD_FIELDS = ["tag", "image", "digest", "commit"];
    MAX_METADATA_BYTES = 1024 * 1024;
  }
});

// src/git.ts
import { CoreError, git as runGit } from "@oci-sd/core";
async function git(args, options = {}) {
  try {
    return await runGit(args, options);
  } catch (error) {
    if (!(error instanceof CoreError)) throw error;
    throw new ActionError("GIT", error.message, { found: error.found, cause: error });
  }
}
var init_git = __esm({
  "src/git.ts"() {
    "use strict";
    init_errors();
  }
});

// src/commands/tuf-publish.ts
var tuf_publish_exports = {};
__export(tuf_publish_exports, {
  publishToTuf: () => publishToTuf,
  tufPublishCommand: () => tufPublishCommand
});
import { mkdtemp } from "fs/promises";
import { join as join2 } from "path";
import { addReleaseTarget, signingBranchName } from "@oci-sd/tuf";
function remoteUrl(tufRepository, serverUrl) {
  return /^[A-Za-z0-9_.-]+\/[A-Za-z0-9_.-]+$/.test(tufRepository) ? `${serverUrl}/${tufRepository}.git` : tufRepository;
}
async function publishToTuf(request) {
  const remote = remoteUrl(request.tufRepository, request.serverUrl);
  const version = request.manifest.version ?? request.manifest.tag.replace(/^v/, "");
  const branch = signingBranchName(version, request.manifest.runId);
  const dir = request.checkout ?? await mkdtemp(join2(request.scratch, "oci-sd-tuf-"));
  const auth = request.token ? { token: request.token } : {};
  if (!request.checkout)
    await git(["clone", "--quiet", "--no-tags", "--branch", request.base, remote, dir], auth);
  const identity = (await git(["config", "--get", "user.email"], { cwd: dir }).catch(() => "")).trim() ? {} : {
    GIT_AUTHOR_NAME: BOT_NAME,
    GIT_AUTHOR_EMAIL: BOT_EMAIL,
    GIT_COMMITTER_NAME: BOT_NAME,
    GIT_COMMITTER_EMAIL: BOT_EMAIL
  };
  const saved = Object.fromEntries(Object.keys(identity).map((name) => [name, process.env[name]]));
  Object.assign(process.env, identity);
  let result;
  try {
    result = await addReleaseTarget(dir, {
      manifest: request.manifest,
      branch,
      base: request.base,
      push: { remote: "origin", ...auth },
      ...request.replace ? { replace: true } : {}
    });
  } finally {
    for (const [name, value] of Object.entries(saved))
      if (value === void 0) delete process.env[name];
      else process.env[name] = value;
  }
  const github = /^[A-Za-z0-9_.-]+\/[A-Za-z0-9_.-]+$/.test(request.tufRepository);
  return {
    ...result,
    ...github ? {
      signingPullRequestsUrl: `${request.serverUrl}/${request.tufRepository}/pulls?q=${encodeURIComponent(`is:pr head:${branch}`)}`
    } : {}
  };
}
function createdAt(io, context) {
  const value = optionalInput(io, "created-at") ?? context.release?.published_at;
  if (value === void 0) return /* @__PURE__ */ new Date();
  const date = new Date(value);
  if (Number.isNaN(date.getTime()))
    throw new ActionError(
      "INVALID_INPUT",
      `input "created-at": expected an ISO 8601 time, found "${value}"`,
      { expected: "YYYY-MM-DDTHH:MM:SSZ", found: value }
    );
  return date;
}
async function tufPublishCommand(io, context) {
  const repository = context.repository;
  const image = imageRepositoryInput(io);
  const digest = digestInput(io, "digest");
  const tag = context.tag(optionalInput(io, "tag"));
  const checkout = optionalInput(io, "tuf-checkout");
  const result = await publishToTuf({
    tufRepository: requiredInput(
      io,
      "tuf-repository",
      "the TUF-on-CI repository, OWNER/REPO or a git URL"
    ),
    ...checkout ? { checkout: context.resolvePath(checkout) } : {},
    manifest: {
      project: optionalInput(io, "tuf-project") ?? repository.split("/")[1],
      repository,
      tag,
      image,
      digest,
      runId: context.runId,
      createdAt: createdAt(io, context),
      serverUrl: context.serverUrl,
      workflowPath: context.signingWorkflowPath(optionalInput(io, "workflow-path"))
    },
    base: optionalInput(io, "tuf-base") ?? "main",
    replace: booleanInput(io, "replace", false),
    token: io.getInput("token") || void 0,
    serverUrl: context.serverUrl,
    scratch: context.temp
  });
  io.setOutput("branch", result.branch);
  io.setOutput("target-path", result.path);
  io.setOutput("target-name", result.targetName);
  io.setOutput("sha256", result.sha256);
  io.setOutput("length", String(result.length));
  io.setOutput("changed", String(result.changed));
  io.setOutput("pushed", String(result.pushed));
  io.setOutput("signing-pr-url", result.signingPullRequestsUrl ?? "");
  io.setOutput("result", JSON.stringify(result));
  for (const warning of result.warnings ?? []) io.warning(warning);
  io.info(
    result.changed ? `pushed ${result.branch}: ${result.targetName} (sha256 ${result.sha256}, ${result.length} bytes), targets.json v${result.version}` : `${result.targetName} is already listed on ${result.branch} with the same bytes: nothing pushed`
  );
  await io.appendSummary(
    summaryTable(`TUF signing event for ${tag}`, [
      ["Image", code(`${image}@${digest}`)],
      ["TUF manifest", code(result.path)],
      ["targets.json", `v${result.version}, sha256 ${code(result.sha256)}, ${result.length} bytes`],
      [
        "Signing branch",
        code(result.branch) + (result.changed ? "" : " (unchanged, nothing pushed)")
      ],
      [
        "Signing PR",
        result.signingPullRequestsUrl ? link(`pull requests for ${result.branch}`, result.signingPullRequestsUrl) : "opened by TUF-on-CI in the TUF repository"
      ]
    ])
  );
}
var BOT_NAME, BOT_EMAIL;
var init_tuf_publish = __esm({
  "src/commands/tuf-publish.ts"() {
    "use strict";
    init_errors();
    init_git();
    init_io();
    init_summary();
    BOT_NAME = "github-actions[bot]";
    BOT_EMAIL = "41898282+github-actions[bot]@users.noreply.github.com";
  }
});

// src/sigstore.ts
import { PUBLIC_GOOD_FULCIO_URL, PUBLIC_GOOD_REKOR_URL } from "@oci-sd/core";
import { bundleToJSON } from "@sigstore/bundle";
import { DSSEBundleBuilder, FulcioSigner, RekorWitness, TSAWitness } from "@sigstore/sign";
function inTotoStatement(subjectName, digest, predicateType, predicate) {
  return Buffer.from(
    JSON.stringify({
      _type: "https://in-toto.io/Statement/v1",
      subject: [{ name: subjectName, digest: { sha256: digest.slice("sha256:".length) } }],
      predicateType,
      predicate
    })
  );
}
async function signStatement(statement, identityToken, endpoints = {}) {
  const fetchOptions = { timeout: 3e4, retry: { retries: 2, factor: 2, minTimeout: 500 } };
  const witnesses = [
    new RekorWitness({
      rekorBaseURL: endpoints.rekorUrl ?? PUBLIC_GOOD_REKOR_URL,
      entryType: "dsse",
      ...fetchOptions
    })
  ];
  if (endpoints.tsaUrl)
    witnesses.push(new TSAWitness({ tsaBaseURL: endpoints.tsaUrl, ...fetchOptions }));
  const builder = new DSSEBundleBuilder({
    signer: new FulcioSigner({
      identityProvider: { getToken: async () => identityToken },
      fulcioBaseURL: endpoints.fulcioUrl ?? PUBLIC_GOOD_FULCIO_URL,
      ...fetchOptions
    }),
    witnesses,
    certificateChain: false
  });
  return bundleToJSON(await builder.create({ data: statement, type: IN_TOTO_PAYLOAD_TYPE }));
}
var IN_TOTO_PAYLOAD_TYPE;
var init_sigstore = __esm({
  "src/sigstore.ts"() {
    "use strict";
    IN_TOTO_PAYLOAD_TYPE = "application/vnd.in-toto+json";
  }
});

// src/commands/verify.ts
var verify_exports = {};
__export(verify_exports, {
  registryCredentials: () => registryCredentials,
  verifyCommand: () => verifyCommand
});
import { formatReport, verifyImage, verifyRelease } from "@oci-sd/verify";
import { writeFileAtomic as writeFileAtomic3 } from "@oci-sd/core";
function defaultIdentity(io, context) {
  const tag = context.tag(optionalInput(io, "tag"));
  return `${context.serverUrl}/${context.repository}/${context.signingWorkflowPath(optionalInput(io, "workflow-path"))}@refs/tags/${tag}`;
}
function identityPolicy(io, context) {
  const identityRegExp = optionalInput(io, "certificate-identity-regexp");
  const identity = optionalInput(io, "certificate-identity");
  if (identity && identityRegExp) {
    throw new ActionError(
      "INVALID_INPUT",
      'inputs "certificate-identity" and "certificate-identity-regexp" exclude each other',
      { expected: "one of them", found: "both" }
    );
  }
  return {
    ...identityRegExp ? { identityRegExp } : { identity: identity ?? defaultIdentity(io, context) },
    issuer: optionalInput(io, "certificate-oidc-issuer") ?? GITHUB_ACTIONS_ISSUER
  };
}
function slsaPolicy(io) {
  const sourceUri = optionalInput(io, "slsa-source-uri");
  const sourceTag = optionalInput(io, "slsa-source-tag");
  const sourceBranch = optionalInput(io, "slsa-source-branch");
  const builderId = optionalInput(io, "slsa-builder-id");
  if (!sourceUri) {
    if (sourceTag || sourceBranch || builderId)
      throw new ActionError(
        "INVALID_INPUT",
        'input "slsa-source-uri" is required with the other slsa-* inputs',
        { expected: "github.com/OWNER/REPO", found: "" }
      );
    return void 0;
  }
  return {
    sourceUri,
    ...sourceTag ? { sourceTag } : {},
    ...sourceBranch ? { sourceBranch } : {},
    ...builderId ? { builderId } : {}
  };
}
function registryCredentials(io) {
  const username = optionalInput(io, "registry-username");
  const password = optionalInput(io, "registry-password");
  if (password) io.setSecret(password);
  if (!username && !password) return void 0;
  if (!username || !password)
    throw new ActionError(
      "INVALID_INPUT",
      'inputs "registry-username" and "registry-password" go together',
      { expected: "both", found: username ? "username only" : "password only" }
    );
  return { username, password };
}
function checkRow(check) {
  const mark = check.status === "pass" ? "\u2705" : check.status === "fail" ? "\u274C" : "\u2796";
  return [check.check, `${mark} ${check.summary.replace(/\|/g, "\\|")}`];
}
function tufLocation(io, context) {
  const url = optionalInput(io, "tuf-url");
  const checkout = optionalInput(io, "tuf-checkout");
  const root = optionalInput(io, "tuf-root");
  if (url && checkout)
    throw new ActionError(
      "INVALID_INPUT",
      'inputs "tuf-url" and "tuf-checkout" exclude each other',
      { expected: "one of them", found: "both" }
    );
  if (url) {
    if (!root)
      throw new ActionError(
        "INVALID_INPUT",
        'input "tuf-root" is required with "tuf-url": the pinned root.json to start the TUF update from',
        { expected: "a root.json path", found: "" }
      );
    return { url, root: context.resolvePath(root) };
  }
  if (checkout)
    return {
      repo: context.resolvePath(checkout),
      ...root ? { root: context.resolvePath(root) } : {}
    };
  throw new ActionError(
    "INVALID_INPUT",
    'release verification needs the TUF metadata: input "tuf-url" (with "tuf-root") or "tuf-checkout"',
    { expected: "tuf-url or tuf-checkout", found: "neither" }
  );
}
function tufCacheInputs(io, context) {
  const dir = optionalInput(io, "tuf-metadata-dir");
  const cache = booleanInput(io, "tuf-cache", true);
  if (dir && !cache)
    throw new ActionError(
      "INVALID_INPUT",
      'inputs "tuf-metadata-dir" and "tuf-cache: false" exclude each other',
      { expected: "one of them", found: "both" }
    );
  if (!cache) return { kind: "none" };
  return dir ? { kind: "dir", dir: context.resolvePath(dir) } : { kind: "user" };
}
function verifyReleaseInputs(io, context, release) {
  const trustedRoot = optionalInput(io, "trusted-root");
  const credentials = registryCredentials(io);
  return verifyRelease({
    release,
    tuf: tufLocation(io, context),
    tufCache: tufCacheInputs(io, context),
    ...trustedRoot ? { trust: context.resolvePath(trustedRoot) } : {},
    ...credentials ? { credentialsFor: async () => credentials } : {}
  });
}
function verifyImageInputs(io, context) {
  const image = requiredInput(
    io,
    "image",
    'an image reference (REGISTRY/REPO:TAG, REGISTRY/REPO@sha256:..., oci-layout:DIR) or a release (input "release")'
  );
  const signature = booleanInput(io, "signature", true);
  const attestations = listInput(io, "attestations");
  const trustedRoot = optionalInput(io, "trusted-root");
  const credentials = registryCredentials(io);
  const slsa = slsaPolicy(io);
  return verifyImage({
    image,
    signature,
    attestations,
    ...signature || attestations.length > 0 ? { policy: identityPolicy(io, context) } : {},
    ...slsa ? { slsa } : {},
    ...trustedRoot ? { trust: context.resolvePath(trustedRoot) } : {},
    ...credentials ? { registry: { credentials } } : {}
  });
}
async function verifyCommand(io, context) {
  const release = optionalInput(io, "release");
  const report = release ? await verifyReleaseInputs(io, context, release) : await verifyImageInputs(io, context);
  const subject = release ?? requiredInput(io, "image", "an image reference");
  const reportFile = optionalInput(io, "report-file");
  if (reportFile)
    await writeFileAtomic3(context.resolvePath(reportFile), `${JSON.stringify(report, null, 2)}
`);
  io.setOutput("ok", String(report.ok));
  io.setOutput("digest", report.image?.digest ?? "");
  io.setOutput("report", JSON.stringify(report));
  io.setOutput("result", JSON.stringify(report));
  io.info(formatReport(report));
  await io.appendSummary(
    summaryTable(`Verification of ${subject}: ${report.ok ? "passed" : "FAILED"}`, [
      ...report.image ? [
        [
          "Image",
          code(
            report.image.reference.includes("@") ? report.image.reference : `${report.image.reference}@${report.image.digest}`
          )
        ]
      ] : [],
      ...report.checks.map(checkRow)
    ])
  );
  if (!report.ok) {
    const failed = report.checks.filter((check) => check.status === "fail");
    throw new ActionError(
      "VERIFICATION_FAILED",
      `verification failed: ${failed.map((check) => `${check.check} (${check.summary})`).join("; ")}`,
      {
        expected: "every check passes",
        found: failed.map((check) => check.check)
      }
    );
  }
}
var GITHUB_ACTIONS_ISSUER;
var init_verify = __esm({
  "src/commands/verify.ts"() {
    "use strict";
    init_errors();
    init_io();
    init_summary();
    GITHUB_ACTIONS_ISSUER = "https://token.actions.githubusercontent.com";
  }
});

// src/commands/attest.ts
var attest_exports = {};
__export(attest_exports, {
  attestCommand: () => attestCommand,
  signCommand: () => signCommand
});
import { readFile } from "fs/promises";
import { resolvePredicateType } from "@oci-sd/verify";
import { githubActionsToken } from "@oci-sd/tuf";
import { createAttestation, createGitHubClient as createGitHubClient2, parseRepo as parseRepo2 } from "@oci-sd/gh";
import {
  COSIGN_SIGN_PREDICATE_TYPE,
  OciLayoutSource,
  RegistrySource,
  attachReferrerBundle,
  parseImageReference
} from "@oci-sd/oci";
function imageStore(io, image, context) {
  const reference = parseImageReference(image);
  if (reference.tag !== void 0 || reference.digest !== void 0) {
    throw new ActionError(
      "INVALID_INPUT",
      `input "image": expected a repository or oci-layout:DIR without tag or digest (the digest goes in "digest"), found "${image}"`,
      {
        expected: "ghcr.io/OWNER/REPO",
        found: image
      }
    );
  }
  if (reference.kind === "oci-layout")
    return {
      store: new OciLayoutSource(context.resolvePath(reference.path)),
      name: optionalInput(io, "subject-name") ?? image
    };
  const credentials = registryCredentials(io);
  return {
    store: new RegistrySource(
      reference.registry,
      reference.repository,
      credentials ? { credentials } : {}
    ),
    name: optionalInput(io, "subject-name") ?? `${reference.registry}/${reference.repository}`
  };
}
async function predicateOf(io, context, kind) {
  if (kind === "sign") return { type: COSIGN_SIGN_PREDICATE_TYPE, predicate: {} };
  const type = resolvePredicateType(
    requiredInput(
      io,
      "predicate-type",
      "a predicate type: a cosign short name (cyclonedx, slsaprovenance, ...) or a URI"
    )
  );
  const path = context.resolvePath(requiredInput(io, "predicate", "the predicate file (JSON)"));
  let text;
  try {
    text = await readFile(path, "utf8");
  } catch (error) {
    throw new ActionError(
      "INVALID_INPUT",
      `input "predicate": cannot read ${path}: ${error.message}`,
      { expected: "a readable JSON file", found: path, cause: error }
    );
  }
  try {
    return { type, predicate: JSON.parse(text) };
  } catch (error) {
    throw new ActionError(
      "INVALID_INPUT",
      `input "predicate": ${path} is not JSON (${error.message})`,
      { expected: "JSON", found: text.slice(0, 80), cause: error }
    );
  }
}
function signingCommand(kind) {
  return async (io, context) => {
    const image = requiredInput(
      io,
      "image",
      "the image repository (ghcr.io/OWNER/REPO) or oci-layout:DIR"
    );
    const digest = digestInput(io, "digest");
    const { store, name } = imageStore(io, image, context);
    const { type, predicate } = await predicateOf(io, context, kind);
    await store.manifest(digest);
    const fulcioUrl = optionalInput(io, "fulcio-url");
    const rekorUrl = optionalInput(io, "rekor-url");
    const tsaUrl = optionalInput(io, "tsa-url");
    const identityToken = io.getIDToken ? await io.getIDToken("sigstore") : await githubActionsToken({ audience: "sigstore" }).getToken();
    io.setSecret(identityToken);
    const bundle = await signStatement(
      inTotoStatement(name, digest, type, predicate),
      identityToken,
      {
        ...fulcioUrl ? { fulcioUrl } : {},
        ...rekorUrl ? { rekorUrl } : {},
        ...tsaUrl ? { tsaUrl } : {}
      }
    );
    const referrer = await attachReferrerBundle(store, digest, bundle);
    const logIndex = bundle.verificationMaterial.tlogEntries[0]?.logIndex ?? "";
    const recorded = kind === "attest" && booleanInput(io, "github-attestation", false) ? await recordInGitHub(io, context, bundle) : void 0;
    if (recorded) io.setOutput("attestation-id", String(recorded.id));
    io.setOutput("bundle", JSON.stringify(bundle));
    io.setOutput("referrer", referrer);
    io.setOutput("log-index", logIndex);
    io.setOutput("predicate-type", type);
    io.setOutput(
      "result",
      JSON.stringify({
        image: name,
        digest,
        predicateType: type,
        referrer,
        logIndex,
        ...recorded ? { attestationId: recorded.id } : {}
      })
    );
    io.info(
      `${kind === "sign" ? "signed" : `attested ${type} for`} ${name}@${digest}: referrer ${referrer}, transparency log index ${logIndex}`
    );
    await io.appendSummary(
      summaryTable(kind === "sign" ? "Image signature" : `Attestation ${type}`, [
        ["Image", code(`${name}@${digest}`)],
        ["Predicate type", code(type)],
        ["Stored as", `OCI referrer ${code(referrer)}`],
        ["Transparency log index", code(logIndex)],
        ...recorded ? [
          ["GitHub attestation", `${code(String(recorded.id))} in ${context.repository}`]
        ] : []
      ])
    );
  };
}
async function recordInGitHub(io, context, bundle) {
  const client = await createGitHubClient2({
    token: io.getInput("token"),
    apiUrl: context.apiUrl,
    serverUrl: context.serverUrl,
    ghCli: false
  });
  return createAttestation(client, parseRepo2(context.repository), bundle);
}
var signCommand, attestCommand;
var init_attest = __esm({
  "src/commands/attest.ts"() {
    "use strict";
    init_errors();
    init_io();
    init_sigstore();
    init_summary();
    init_verify();
    signCommand = signingCommand("sign");
    attestCommand = signingCommand("attest");
  }
});

// src/context.ts
init_errors();
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
  /** The workflow that signs the image: the input, else this run's workflow, else `docker-build-push.yml`. */
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
init_errors();
var ACTION_COMMANDS = {
  "release-notes": async () => (await Promise.resolve().then(() => (init_release_notes(), release_notes_exports))).releaseNotesCommand,
  "changelog-validate": async () => (await Promise.resolve().then(() => (init_changelog_validate(), changelog_validate_exports))).changelogValidateCommand,
  "release-metadata": async () => (await Promise.resolve().then(() => (init_release_metadata(), release_metadata_exports))).releaseMetadataCommand,
  "tuf-publish": async () => (await Promise.resolve().then(() => (init_tuf_publish(), tuf_publish_exports))).tufPublishCommand,
  sign: async () => (await Promise.resolve().then(() => (init_attest(), attest_exports))).signCommand,
  attest: async () => (await Promise.resolve().then(() => (init_attest(), attest_exports))).attestCommand,
  verify: async () => (await Promise.resolve().then(() => (init_verify(), verify_exports))).verifyCommand
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

// src/index.ts
init_errors();
init_release_notes();
init_release_metadata();
init_tuf_publish();
init_summary();
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
