/** Roles in order of power. A member may act on another only when they rank strictly higher. */
export const ROLES = ['member', 'moderator', 'admin', 'owner'] as const;
export type Role = (typeof ROLES)[number];

export const isRole = (value: unknown): value is Role => typeof value === 'string' && (ROLES as readonly string[]).includes(value);
export const rank = (role: Role): number => ROLES.indexOf(role);
export const atLeast = (role: Role, needed: Role): boolean => rank(role) >= rank(needed);

/** Who is acting: the signed-in member as services see them (never an express request). */
export interface Actor {
  id: number;
  role: Role;
}
/** Who is looking: a signed-in member, or null for a visitor. */
export type Viewer = Actor | null;
