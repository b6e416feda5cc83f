import { pyEquals } from '../python/equals.js';
import { add, gt, lt } from '../python/numbers.js';
import { pyStr } from '../python/repr.js';
import { dict, isDict, PyException, pyTypeName, toKey, truthy, type PyDict, type PyValue } from '../python/values.js';
import { asList, asStr, defineBackend, failure, field, getItem } from './base.js';

/** TicketAPI (BFCL `ticket_api.py`): a support-ticket queue for the logged-in user. */

export class TicketAPI {
  ticketQueue: PyValue = [];
  ticketCounter: PyValue = 1;
  currentUser: PyValue = null;
}

const EDITABLE = ['title', 'description', 'status', 'priority'];

function findTicket(api: TicketAPI, id: PyValue): PyDict | undefined {
  for (const ticket of asList(api.ticketQueue)) if (pyEquals(getItem(ticket, 'id'), id)) return ticket as PyDict;
  return undefined;
}

function notFound(id: PyValue): PyDict {
  return failure(`Ticket with ID ${pyStr(id)} not found.`);
}

export const ticketApi = defineBackend<TicketAPI>({
  name: 'TicketAPI',
  docFile: 'ticket_api',
  create(scenario) {
    const api = new TicketAPI();
    api.ticketQueue = field(scenario, 'ticket_queue', []);
    api.ticketCounter = field(scenario, 'ticket_counter', 1);
    api.currentUser = field(scenario, 'current_user', null);
    return api;
  },
  publicState: (api) => [
    ['ticket_queue', api.ticketQueue],
    ['ticket_counter', api.ticketCounter],
    ['current_user', api.currentUser],
  ],
  methods: {
    create_ticket: {
      params: ['title', ['description', ''], ['priority', 1]],
      run(api, { title, description, priority }) {
        if (!truthy(api.currentUser)) return failure('User not authenticated. Please log in to create a ticket.');
        if (lt(priority!, 1) || gt(priority!, 5)) return failure('Invalid priority. Priority must be between 1 and 5.');
        const ticket = dict({ id: api.ticketCounter, title: title!, description: description!, status: 'Open', priority: priority!, created_by: api.currentUser });
        if (!Array.isArray(api.ticketQueue)) throw new PyException('AttributeError', `'${pyTypeName(api.ticketQueue)}' object has no attribute 'append'`);
        api.ticketQueue.push(ticket);
        api.ticketCounter = add(api.ticketCounter, 1);
        return ticket;
      },
    },
    get_ticket: {
      params: ['ticket_id'],
      run: (api, { ticket_id }) => findTicket(api, ticket_id!) ?? notFound(ticket_id!),
    },
    close_ticket: {
      params: ['ticket_id'],
      run(api, { ticket_id }) {
        const ticket = findTicket(api, ticket_id!);
        if (!ticket) return notFound(ticket_id!);
        if (ticket.get('status') === 'Closed') return failure(`Ticket with ID ${pyStr(ticket_id!)} is already closed.`);
        ticket.set('status', 'Closed');
        return dict({ status: `Ticket ${pyStr(ticket_id!)} has been closed successfully.` });
      },
    },
    resolve_ticket: {
      params: ['ticket_id', 'resolution'],
      run(api, { ticket_id, resolution }) {
        const ticket = findTicket(api, ticket_id!);
        if (!ticket) return notFound(ticket_id!);
        if (ticket.get('status') === 'Resolved') return failure(`Ticket with ID ${pyStr(ticket_id!)} is already resolved.`);
        ticket.set('status', 'Resolved');
        ticket.set('resolution', resolution!);
        return dict({ status: `Ticket ${pyStr(ticket_id!)} has been resolved successfully.` });
      },
    },
    edit_ticket: {
      params: ['ticket_id', 'updates'],
      run(api, { ticket_id, updates }) {
        const ticket = findTicket(api, ticket_id!);
        if (!ticket) return notFound(ticket_id!);
        if (!isDict(updates!)) throw new PyException('AttributeError', `'${pyTypeName(updates!)}' object has no attribute 'keys'`);
        // Python builds this list from a set, so its order is not stable there; ours follows the call
        const invalid = [...updates.keys()].filter((key) => !EDITABLE.includes(String(key)));
        if (invalid.length > 0) return failure(`Invalid fields for update: ${invalid.map(String).join(', ')}`);
        for (const [key, value] of updates) if (value !== null) ticket.set(toKey(key), value);
        return dict({ status: `Ticket ${pyStr(ticket_id!)} has been updated successfully.` });
      },
    },
    ticket_login: {
      params: ['username', 'password'],
      run(api, { username, password }) {
        if (truthy(username!) && truthy(password!)) {
          api.currentUser = username!;
          return dict({ success: true });
        }
        return dict({ success: false });
      },
    },
    ticket_get_login_status: {
      params: [],
      run: (api) => dict({ login_status: truthy(api.currentUser) }),
    },
    logout: {
      params: [],
      run(api) {
        if (!truthy(api.currentUser)) return dict({ success: false });
        api.currentUser = null;
        return dict({ success: true });
      },
    },
    get_user_tickets: {
      params: [['status', null]],
      run(api, { status }) {
        if (!truthy(api.currentUser)) return [failure('User not authenticated. Please log in to view tickets.')];
        let tickets = asList(api.ticketQueue).filter((ticket) => pyEquals(getItem(ticket, 'created_by'), api.currentUser));
        if (truthy(status!)) {
          const wanted = asStr(status!, 'lower').toLowerCase();
          tickets = tickets.filter((ticket) => asStr(getItem(ticket, 'status'), 'lower').toLowerCase() === wanted);
        }
        return tickets;
      },
    },
  },
});
