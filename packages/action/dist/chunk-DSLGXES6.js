import {
  code,
  link,
  optionalInput,
  summaryTable
} from "./chunk-5XYT2ALU.js";

// src/commands/release-notes.ts
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

export {
  releaseNotesFor,
  releaseNotesCommand
};
