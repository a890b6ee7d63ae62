import {
  ActionError,
  code,
  digestInput,
  imageRepositoryInput,
  link,
  optionalInput,
  requiredInput,
  summaryTable
} from "./chunk-5XYT2ALU.js";

// src/commands/tuf-publish.ts
import { mkdtemp } from "fs/promises";
import { join } from "path";
import { addReleaseTarget, signingBranchName } from "@oci-sd/tuf";

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

// src/commands/tuf-publish.ts
var BOT_NAME = "github-actions[bot]";
var BOT_EMAIL = "41898282+github-actions[bot]@users.noreply.github.com";
function remoteUrl(tufRepository, serverUrl) {
  return /^[A-Za-z0-9_.-]+\/[A-Za-z0-9_.-]+$/.test(tufRepository) ? `${serverUrl}/${tufRepository}.git` : tufRepository;
}
async function publishToTuf(request) {
  const remote = remoteUrl(request.tufRepository, request.serverUrl);
  const version = request.manifest.version ?? request.manifest.tag.replace(/^v/, "");
  const branch = signingBranchName(version, request.manifest.runId);
  const dir = request.checkout ?? await mkdtemp(join(request.scratch, "oci-sd-tuf-"));
  const auth = request.token ? { token: request.token } : {};
  if (!request.checkout)
    await git(["clone", "--quiet", "--no-tags", "--branch", request.base, remote, dir], auth);
  if ((await git(["ls-remote", "--heads", "origin", `refs/heads/${branch}`], { cwd: dir, ...auth })).trim()) {
    await git(["fetch", "--quiet", "origin", `+refs/heads/${branch}:refs/heads/${branch}`], {
      cwd: dir,
      ...auth
    });
  }
  if (!(await git(["config", "--get", "user.email"], { cwd: dir }).catch(() => "")).trim()) {
    await git(["config", "user.name", BOT_NAME], { cwd: dir });
    await git(["config", "user.email", BOT_EMAIL], { cwd: dir });
  }
  const result = await addReleaseTarget(dir, {
    manifest: request.manifest,
    branch,
    base: request.base,
    push: { remote: "origin", ...auth }
  });
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

export {
  publishToTuf,
  tufPublishCommand
};
