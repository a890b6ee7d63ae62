import {
  ActionError,
  booleanInput,
  code,
  digestInput,
  imageRepositoryInput,
  link,
  optionalInput,
  plain,
  summaryTable
} from "./chunk-5XYT2ALU.js";

// src/commands/release-metadata.ts
import { createHash } from "crypto";
import { basename } from "path";
import { writeFileAtomic } from "@oci-sd/core";
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
var BUILD_FIELDS = ["tag", "image", "digest", "commit"];
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
var MAX_METADATA_BYTES = 1024 * 1024;
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
  await writeFileAtomic(path, published?.kept?.bytes ?? text);
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

export {
  releaseMetadata,
  formatReleaseMetadata,
  releaseMetadataPredicateType,
  releaseMetadataCommand
};
