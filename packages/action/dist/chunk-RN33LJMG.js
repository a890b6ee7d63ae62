import {
  ActionError,
  booleanInput,
  code,
  listInput,
  optionalInput,
  requiredInput,
  summaryTable
} from "./chunk-5XYT2ALU.js";

// src/commands/verify.ts
import { formatReport, verifyImage, verifyRelease } from "@oci-sd/verify";
import { writeFileAtomic } from "@oci-sd/core";
var GITHUB_ACTIONS_ISSUER = "https://token.actions.githubusercontent.com";
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
function verifyReleaseInputs(io, context, release) {
  const trustedRoot = optionalInput(io, "trusted-root");
  const credentials = registryCredentials(io);
  return verifyRelease({
    release,
    tuf: tufLocation(io, context),
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
    await writeFileAtomic(context.resolvePath(reportFile), `${JSON.stringify(report, null, 2)}
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

export {
  registryCredentials,
  verifyCommand
};
