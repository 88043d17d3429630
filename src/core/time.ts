/** Timestamps are stored as ISO-8601 UTC strings: sortable as text and readable in a dump. */
export const nowIso = (): string => new Date().toISOString();
export const isoIn = (ms: number): string => new Date(Date.now() + ms).toISOString();
