// src/errors.ts
var ActionError = class extends Error {
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
var DIGEST = /^sha256:[0-9a-f]{64}$/;
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

export {
  ActionError,
  optionalInput,
  requiredInput,
  booleanInput,
  listInput,
  digestInput,
  imageRepositoryInput,
  summaryTable,
  code,
  plain,
  link
};
