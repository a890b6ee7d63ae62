import {
  registryCredentials
} from "./chunk-RN33LJMG.js";
import {
  ActionError,
  code,
  digestInput,
  optionalInput,
  requiredInput,
  summaryTable
} from "./chunk-5XYT2ALU.js";

// src/commands/attest.ts
import { readFile } from "fs/promises";
import { resolvePredicateType } from "@oci-sd/verify";
import { githubActionsToken } from "@oci-sd/tuf";

// src/sigstore.ts
import { PUBLIC_GOOD_FULCIO_URL, PUBLIC_GOOD_REKOR_URL } from "@oci-sd/core";
import { bundleToJSON } from "@sigstore/bundle";
import { DSSEBundleBuilder, FulcioSigner, RekorWitness, TSAWitness } from "@sigstore/sign";
var IN_TOTO_PAYLOAD_TYPE = "application/vnd.in-toto+json";
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

// src/commands/attest.ts
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
    io.setOutput("bundle", JSON.stringify(bundle));
    io.setOutput("referrer", referrer);
    io.setOutput("log-index", logIndex);
    io.setOutput("predicate-type", type);
    io.setOutput(
      "result",
      JSON.stringify({ image: name, digest, predicateType: type, referrer, logIndex })
    );
    io.info(
      `${kind === "sign" ? "signed" : `attested ${type} for`} ${name}@${digest}: referrer ${referrer}, transparency log index ${logIndex}`
    );
    await io.appendSummary(
      summaryTable(kind === "sign" ? "Image signature" : `Attestation ${type}`, [
        ["Image", code(`${name}@${digest}`)],
        ["Predicate type", code(type)],
        ["Stored as", `OCI referrer ${code(referrer)}`],
        ["Transparency log index", code(logIndex)]
      ])
    );
  };
}
var signCommand = signingCommand("sign");
var attestCommand = signingCommand("attest");
export {
  attestCommand,
  signCommand
};
