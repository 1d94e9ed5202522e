export interface RequiredPermission {
  readonly key: string;
  readonly level: 'read' | 'write';
  /** How the App settings page names it. */
  readonly label: string;
}

/** What the server needs from an organization installation. */
export const REQUIRED_PERMISSIONS: readonly RequiredPermission[] = [
  {
    key: 'organization_self_hosted_runners',
    level: 'write',
    label: 'Organization permissions → Self-hosted runners: Read and write',
  },
  {
    key: 'actions',
    level: 'read',
    label: 'Repository permissions → Actions: Read-only',
  },
];

/** Only user-account installations need it (repository-level runners). */
export const ADMINISTRATION: RequiredPermission = {
  key: 'administration',
  level: 'write',
  label: 'Repository permissions → Administration: Read and write',
};

const RANK: Readonly<Record<string, number>> = { read: 1, write: 2, admin: 3 };

/** True when `granted` (GitHub's `read`/`write`/`admin`) covers `needed`. */
export function permissionCovers(granted: string | undefined, needed: 'read' | 'write'): boolean {
  return (RANK[granted ?? ''] ?? 0) >= (RANK[needed] ?? 0);
}

/** `actions: read (Repository permissions → Actions: Read-only) — not granted` */
export function describeMissing(p: RequiredPermission, granted: string | undefined): string {
  return `${p.key}: ${p.level} (${p.label}) — ${granted ? `has only ${granted}` : 'not granted'}`;
}
