const TOKEN_PATTERN = /\b(gh[pousr]_[A-Za-z0-9]{20,}|github_pat_[A-Za-z0-9_]{20,})\b/g;

/** Removes GitHub tokens (known shapes, plus the given secrets) from text that may reach a log or an error. */
export function redact(text: string, secrets: readonly (string | undefined)[] = []): string {
  let out = text.replace(TOKEN_PATTERN, '***');
  for (const secret of secrets)
    if (secret && secret.length >= 4) out = out.split(secret).join('***');
  return out;
}
