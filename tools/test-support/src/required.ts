/**
 * What the environment must provide instead of letting a suite skip: `OCI_SD_REQUIRE` is a
 * comma-separated list (`fixtures`, `docker-registry`). CI sets it, so a machine that lost the
 * real fixtures or the registry binary fails loudly rather than passing on skipped suites.
 */
export type Requirement = 'fixtures' | 'docker-registry';

export function isRequired(requirement: Requirement): boolean {
  return (process.env.OCI_SD_REQUIRE ?? '')
    .split(',')
    .map((part) => part.trim())
    .includes(requirement);
}

/**
 * `available`, unless the requirement is missing and required: then the suite fails at import
 * with `reason`, naming what to install or set.
 */
export function availableOrRequired(
  requirement: Requirement,
  available: boolean,
  reason: string,
): boolean {
  if (!available && isRequired(requirement))
    throw new Error(`OCI_SD_REQUIRE names ${requirement}, but ${reason}`);
  return available;
}
