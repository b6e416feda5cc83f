/** The providers a run can name with `--provider` or `provider:`. */
export const PROVIDER_NAMES = ['embedded', 'remote', 'docker'] as const;
export type ProviderName = (typeof PROVIDER_NAMES)[number];
