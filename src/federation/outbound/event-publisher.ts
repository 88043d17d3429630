import type { Apex } from 'activitypub-express';
import type { EventBus } from '../../core/event-bus.js';
import { PendingWork } from '../../core/pending.js';
import type { Services } from '../../services.js';
import type { ActorDirectory } from '../actors.js';
import { eventToAp } from '../event-convert.js';

/**
 * Events leave as Mobilizon sends them: the space's Group creates the `Event` and sends
 * an `Update` when it changes or is cancelled, to the Group's followers. Events in
 * members-only spaces never leave.
 */
export class EventPublisher {
  private readonly pending = new PendingWork('federation: publishing an event');

  constructor(
    private readonly apex: Apex,
    private readonly actors: ActorDirectory,
    private readonly services: Services,
  ) {}

  attach(bus: EventBus): void {
    bus.on('event.created', (e) => this.pending.track(this.publish(e.eventId, 'Create')));
    bus.on('event.updated', (e) => this.pending.track(this.publish(e.eventId, 'Update')));
    bus.on('event.cancelled', (e) => this.pending.track(this.publish(e.eventId, 'Update')));
  }

  idle(): Promise<void> {
    return this.pending.idle();
  }

  /** The Event as other servers read it, or null for an event that does not leave this server. */
  async document(eventId: number): Promise<Record<string, unknown> | null> {
    return (await this.build(eventId))?.doc ?? null;
  }

  private async build(eventId: number) {
    const event = await this.services.events.getVisible(null, eventId).catch(() => null);
    if (!event) return null;
    const group = await this.actors.forSpace(await this.services.spaces.getById(event.space_id));
    const doc = eventToAp(event, await this.services.events.counts(eventId), { baseUrl: this.actors.baseUrl, groupIri: group.id, groupFollowers: group.followers[0] });
    return { doc, group };
  }

  private async publish(eventId: number, type: 'Create' | 'Update'): Promise<void> {
    const built = await this.build(eventId);
    if (!built) return;
    const { doc, group } = built;
    const activity = await this.apex.buildActivity(type, group.id, doc.to as string[], { object: doc, cc: doc.cc, audience: group.id });
    await this.apex.addToOutbox(group, activity);
  }
}
