/** Profile fields `authen/v1/user_info` can return beyond the ids (reference §4.5). */
export interface UserProfileFields {
  name?: string;
  email?: string;
  mobile?: string;
  userId?: string;
}

/**
 * What tests script about users. The platform returns email, mobile and user id only with
 * the matching contact scopes, which the reference does not name, so scripted fields are
 * returned whatever the token's scopes.
 */
export class UserProfiles {
  private readonly profiles = new Map<string, UserProfileFields>();

  set(openId: string, fields: UserProfileFields): void {
    this.profiles.set(openId, { ...this.profiles.get(openId), ...fields });
  }

  get(openId: string): UserProfileFields {
    return this.profiles.get(openId) ?? {};
  }
}
