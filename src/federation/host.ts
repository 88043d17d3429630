/** The host (with port) an IRI or address names, lower-cased; null when it is not a URL. */
export function hostOf(iri: string): string | null {
  try {
    return new URL(iri).host.toLowerCase();
  } catch {
    return null;
  }
}
