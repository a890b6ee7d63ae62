const TOKEN_PATTERN = /\b(gh[pousr]_[A-Za-z0-9]{20,}|github_pat_[A-Za-z0-9_]{20,})\b/g;

/**
 * Removes secrets from text that may reach a log or an error: GitHub tokens (known shapes), the
 * given secrets, and credentials embedded in URLs (`https://user:token@host`).
 */
export function redact(text: string, secrets: readonly (string | undefined)[] = []): string {
  let out = text.replace(TOKEN_PATTERN, '***');
  for (const secret of secrets) if (secret) out = out.split(secret).join('***');
  return out.replace(/\/\/[^/@\s]*@/g, '//***@');
}
