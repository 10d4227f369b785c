/** A request the identity rules refuse (wrong current password, a weak new one); maps to 400/403. */
export class IdentityError extends Error {
  override readonly name = 'IdentityError';
  constructor(
    message: string,
    readonly code: 'weak_password' | 'wrong_password' | 'no_such_user' | 'invalid_input',
  ) {
    super(message);
  }
}
