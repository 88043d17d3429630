import { type Request, Router } from 'express';
import { atLeast } from '../community/roles.js';
import { formatNumber } from '../core/format.js';
import { TIME_ZONES, utcToZoned } from '../core/timezone.js';
import { GoneError, goneReason } from '../community/interaction.js';
import { canCheckIn } from '../events/check-in.js';
import { type EventInput, RSVP_CHOICES, cancelReason } from '../events/event.rules.js';
import { toIcal } from '../events/event.ical.js';
import type { EventRow, RsvpStatus } from '../events/event.table.js';
import { confirmFirst, say } from './confirm.js';
import type { WebContext } from './context.js';
import { field, idParam, renderFormError, requireMember, requireRole, submissionKey, wrap } from './handler.js';

const eventId = (req: Request): number => idParam(req, 'That event');

/** Events: the list, one event with its RSVPs, organisers' forms, check-in, and calendar files. */
export function eventRoutes(ctx: WebContext): Router {
  const router = Router();
  const { render, services, config } = ctx;
  if (!config.modules.events) return router;
  const { events } = services;
  const host = new URL(config.server.url).host;
  const eventUrl = (id: number) => `${config.server.url}/events/${id}`;
  const viewerOf = (req: Request) => (req.member ? { id: req.member.id, role: req.member.role } : null);

  const formPage = async (values: Record<string, unknown>, event?: EventRow) => ({ values, errors: {}, event, spaces: await services.spaces.listAll(), zones: TIME_ZONES });
  const inputFrom = (body: unknown): EventInput => ({
    spaceId: Number(field(body, 'spaceId')) || 0, title: field(body, 'title'), description: field(body, 'description'),
    startsLocal: field(body, 'startsLocal'), endsLocal: field(body, 'endsLocal'), timezone: field(body, 'timezone'),
    address: field(body, 'address'), onlineUrl: field(body, 'onlineUrl'), capacity: field(body, 'capacity'),
  });

  router.get(
    '/events',
    wrap(async (req, res) => {
      render(req, res, 'events/list.njk', { events: await events.upcoming(viewerOf(req)) });
    }),
  );

  // Every upcoming event in public spaces, for calendar apps (which send no cookies).
  router.get(
    '/events.ics',
    wrap(async (_req, res) => {
      const list = await events.upcoming(null, { limit: 500 });
      res.type('text/calendar; charset=utf-8').send(toIcal(list.map((e) => ({ ...e, url: eventUrl(e.id) })), { name: config.community.name, host }));
    }),
  );

  router.get(
    '/events/new',
    wrap(async (req, res) => {
      requireRole(req, 'moderator');
      render(req, res, 'events/form.njk', await formPage({ timezone: config.community.timezone, spaceId: '' }));
    }),
  );

  router.post(
    '/events',
    wrap(async (req, res) => {
      const staff = requireRole(req, 'moderator');
      try {
        const event = await events.create(staff, inputFrom(req.body), submissionKey(req.body));
        res.redirect(303, `/events/${event.id}`);
      } catch (err) {
        if (!renderFormError(render, req, res, 'events/form.njk', err, await formPage({}))) throw err;
      }
    }),
  );

  router.get(
    '/events/:id.ics',
    wrap(async (req, res) => {
      const viewer = viewerOf(req);
      const event = await events.getVisible(viewer, eventId(req));
      const mine = viewer ? await events.rsvpOf(event.id, viewer.id) : undefined;
      const onlineUrl = mine?.status === 'going' ? event.online_url : null;
      res
        .type('text/calendar; charset=utf-8')
        .set('Content-Disposition', `attachment; filename="event-${event.id}.ics"`)
        .send(toIcal([{ ...event, url: eventUrl(event.id), onlineUrl }], { name: event.title, host }));
    }),
  );

  const eventPage = async (req: Request, id: number) => {
    const viewer = viewerOf(req);
    const event = await events.getVisible(viewer, id);
    const mine = viewer ? await events.rsvpOf(id, viewer.id) : undefined;
    const isStaff = viewer !== null && atLeast(viewer.role, 'moderator');
    const now = new Date().toISOString();
    // Buttons come from the rules the service enforces: answers while the event is open, check-in in its window.
    const attendees = (await events.attendees(viewer, id))?.map((a) => ({ ...a, canCheckIn: isStaff && canCheckIn(event, { status: a.status, checked_in_at: a.checkedInAt }, now) })) ?? null;
    const gone = goneReason({ event }, now);
    return {
      event, pageDescription: event.description_md, counts: await events.counts(id), attendees, mine: mine?.status ?? null, isStaff, choices: RSVP_CHOICES,
      goneMessage: gone ? new GoneError(gone).message : null,
      // The online link is for people who are coming (and the organisers).
      showOnline: Boolean(event.online_url) && (mine?.status === 'going' || isStaff),
      values: {}, errors: {},
    };
  };

  router.get(
    '/events/:id',
    wrap(async (req, res) => {
      render(req, res, 'events/event.njk', await eventPage(req, eventId(req)));
    }),
  );

  router.post(
    '/events/:id/rsvp',
    wrap(async (req, res) => {
      const member = requireMember(req, res)!;
      const id = eventId(req);
      await events.getVisible(member, id);
      try {
        await events.rsvp(member, id, field(req.body, 'status') as RsvpStatus);
        res.redirect(303, `/events/${id}#rsvp`);
      } catch (err) {
        if (!renderFormError(render, req, res, 'events/event.njk', err, await eventPage(req, id))) throw err;
      }
    }),
  );

  router.get(
    '/events/:id/edit',
    wrap(async (req, res) => {
      requireRole(req, 'moderator');
      const event = await events.getVisible(viewerOf(req), eventId(req));
      render(req, res, 'events/form.njk', await formPage({
        spaceId: String(event.space_id), title: event.title, description: event.description_md, timezone: event.timezone,
        startsLocal: utcToZoned(event.starts_at, event.timezone), endsLocal: utcToZoned(event.ends_at, event.timezone),
        address: event.address ?? '', onlineUrl: event.online_url ?? '', capacity: event.capacity === null ? '' : String(event.capacity),
      }, event));
    }),
  );

  router.post(
    '/events/:id',
    wrap(async (req, res) => {
      const staff = requireRole(req, 'moderator');
      const event = await events.getVisible(staff, eventId(req));
      try {
        await events.update(staff, event.id, inputFrom(req.body));
        res.redirect(303, `/events/${event.id}`);
      } catch (err) {
        if (!renderFormError(render, req, res, 'events/form.njk', err, { ...(await formPage({})), event })) throw err;
      }
    }),
  );

  router.post(
    '/events/:id/cancel',
    wrap(async (req, res) => {
      const staff = requireRole(req, 'moderator');
      const id = eventId(req);
      try {
        const event = await events.getVisible(staff, id);
        cancelReason(field(req.body, 'reason'));
        const { going, maybe, waiting } = await events.counts(id);
        const told = going + maybe + waiting;
        const said = event.status !== 'cancelled' && confirmFirst(render, req, res, {
          question: say`Cancel “${event.title}”?`,
          consequence: [`${told === 1 ? '1 person who said they would come is' : `${formatNumber(told)} people who said they would come are`} told, with your reason, and the event takes no more answers. This cannot be undone.`],
          confirmLabel: 'Cancel the event', cancelHref: `/events/${id}`,
        });
        if (said) return;
        await events.cancel(staff, id, field(req.body, 'reason'));
        res.redirect(303, `/events/${id}`);
      } catch (err) {
        if (!renderFormError(render, req, res, 'events/event.njk', err, await eventPage(req, id))) throw err;
      }
    }),
  );

  // Staff check a person in, or take it back (which reverses what it paid): one route per way.
  for (const [path, act] of [['check-in', events.checkIn], ['check-in/undo', events.undoCheckIn]] as const) {
    router.post(
      `/events/:id/${path}`,
      wrap(async (req, res) => {
        const staff = requireRole(req, 'moderator');
        const id = eventId(req);
        try {
          await act.call(events, staff, id, Number(field(req.body, 'memberId')) || 0);
          res.redirect(303, `/events/${id}#attendees`);
        } catch (err) {
          if (!renderFormError(render, req, res, 'events/event.njk', err, await eventPage(req, id))) throw err;
        }
      }),
    );
  }
  return router;
}
