/**
 * Cost weights of one NAB application profile. All weights are positive
 * magnitudes: a true positive earns up to `tpWeight`, a false positive costs up
 * to `fpWeight`, a missed window costs `fnWeight`.
 */
export interface CostProfile {
  readonly tpWeight: number;
  readonly fpWeight: number;
  readonly fnWeight: number;
}

/** Names of the three profiles NAB reports. */
export type ProfileName = 'standard' | 'reward_low_FP_rate' | 'reward_low_FN_rate';

export const PROFILE_NAMES: readonly ProfileName[] = ['standard', 'reward_low_FP_rate', 'reward_low_FN_rate'];

/**
 * NAB's published weights (`config/profiles.json` of NAB v1.1). `tnWeight` is
 * left out on purpose: NAB's scorer never uses it.
 */
export const NAB_PROFILES: Readonly<Record<ProfileName, CostProfile>> = {
  standard: { tpWeight: 1.0, fpWeight: 0.11, fnWeight: 1.0 },
  reward_low_FP_rate: { tpWeight: 1.0, fpWeight: 0.22, fnWeight: 1.0 },
  reward_low_FN_rate: { tpWeight: 1.0, fpWeight: 0.11, fnWeight: 2.0 },
};
