// activitypub-express ships no types. This declares the part of its API Hearth uses;
// documents are apex's compacted JSON-LD (every property but id and type is an array).
declare module 'activitypub-express' {
  import type { RequestHandler } from 'express';

  export type ApDoc = Record<string, any> & { id: string; type: string };

  export interface ApexSettings {
    name: string;
    version: string;
    baseUrl: string;
    actorParam: string;
    objectParam: string;
    activityParam?: string;
    routes: Record<string, string>;
    endpoints?: Record<string, string>;
    context?: unknown[];
    store: unknown;
    logger?: { info(...a: unknown[]): void; warn(...a: unknown[]): void; error(...a: unknown[]): void };
    offlineMode?: boolean;
    itemsPerPage?: number;
    threadDepth?: number;
    openRegistrations?: boolean;
  }

  export interface Apex extends RequestHandler {
    baseUrl: string;
    domain: string;
    context: unknown[];
    settings: ApexSettings;
    store: any;
    logger: ApexSettings['logger'];
    consts: { publicAddress: string; jsonldTypes: string[]; jsonldOutgoingType: string };
    net: Record<string, any>;
    utils: {
      usernameToIRI(name: string): string;
      nameToActorStreams(name: string): Record<string, string>;
      activityIdToIRI(id?: string): string;
      idToActivityCollections(id: string): Record<string, string>;
      objectIdToIRI(id?: string): string;
    };
    fromJSONLD(obj: object): Promise<ApDoc>;
    toJSONLD(obj: object): Promise<Record<string, unknown>>;
    stringifyPublicJSONLD(obj: object): string;
    buildActivity(type: string, actorId: string, to: unknown, etc?: Record<string, unknown>): Promise<ApDoc>;
    buildTombstone(object: ApDoc): Promise<ApDoc>;
    addToOutbox(actor: ApDoc, activity: ApDoc): Promise<unknown>;
    publishActivity(actor: ApDoc, activity: ApDoc, audienceOverride?: string[]): Promise<unknown>;
    queueForDelivery(actor: ApDoc, activity: Record<string, unknown>, addresses: string[]): Promise<unknown>;
    publishUpdate(actor: ApDoc, object: ApDoc, cc?: unknown): Promise<unknown>;
    acceptFollow(actor: ApDoc, follow: ApDoc): Promise<{ postTask: () => Promise<unknown>; updated: ApDoc }>;
    address(activity: ApDoc, sender: ApDoc, audienceOverride?: string[]): Promise<string[]>;
    resolveObject(id: string | ApDoc, includeMeta?: boolean, refresh?: boolean, localOnly?: boolean): Promise<ApDoc>;
    requestObject(id: string): Promise<ApDoc | null>;
    jsonldContextLoader(url: string, options?: unknown): Promise<{ contextUrl: string | null; documentUrl: string; document: unknown }>;
    startDelivery(): unknown;
    getFollowers(actor: ApDoc, page?: number, remote?: boolean): Promise<{ orderedItems: any[]; totalItems?: number }>;
    getCollection(id: string): Promise<ApDoc>;
    buildCollection(id: string, isOrdered: boolean, totalItems: number): Promise<ApDoc>;
    buildCollectionPage(collectionId: string, page: unknown, isOrdered: boolean, lastItemId?: unknown): Promise<ApDoc>;
    addPageToIRI(id: string, page: unknown): string;
    isLocalIRI(id: string): boolean;
    addMeta(obj: ApDoc, key: string, value: unknown): void;
    objectIdFromActivity(a: ApDoc): string;
    actorIdFromActivity(a: ApDoc): string;
    validateActivity(a: unknown): boolean;
    validateObject(a: unknown): boolean;
  }

  export default function ActivitypubExpress(settings: ApexSettings): Apex;
}
