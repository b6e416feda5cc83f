import { describe, expect, it } from 'vitest';
import { backend } from '../helpers.js';

const SCENARIO = JSON.stringify({
  ticket_queue: [{ id: 5, title: 'Old', description: 'd', status: 'Open', priority: 2, created_by: 'sam' }, { id: 6, title: 'Other', description: '', status: 'Closed', priority: 1, created_by: 'kai' }],
  ticket_counter: 7,
});

describe('TicketAPI', () => {
  it('login, status and logout', () => {
    const t = backend('TicketAPI', SCENARIO);
    expect(t.run('ticket_get_login_status()')).toBe('{"login_status": false}');
    expect(t.run('logout()')).toBe('{"success": false}');
    expect(t.run("ticket_login(username='sam', password='')")).toBe('{"success": false}');
    expect(t.run("ticket_login(username='sam', password='x')")).toBe('{"success": true}');
    expect(t.run('ticket_get_login_status()')).toBe('{"login_status": true}');
    expect(t.run('logout()')).toBe('{"success": true}');
  });

  it('create_ticket needs a login and a priority in 1..5, and returns the ticket', () => {
    const t = backend('TicketAPI', SCENARIO);
    expect(t.run("create_ticket(title='x')")).toBe('{"error": "User not authenticated. Please log in to create a ticket."}');
    t.run("ticket_login(username='sam', password='x')");
    expect(t.run("create_ticket(title='x', priority=6)")).toBe('{"error": "Invalid priority. Priority must be between 1 and 5."}');
    expect(t.run("create_ticket(title='x')")).toBe('{"id": 7, "title": "x", "description": "", "status": "Open", "priority": 1, "created_by": "sam"}');
    expect(t.state('ticket_counter')).toBe('8');
  });

  it('get, close, resolve and edit tickets, with their errors', () => {
    const t = backend('TicketAPI', SCENARIO);
    expect(t.run('get_ticket(ticket_id=5)')).toBe('{"id": 5, "title": "Old", "description": "d", "status": "Open", "priority": 2, "created_by": "sam"}');
    expect(t.run('get_ticket(ticket_id=9)')).toBe('{"error": "Ticket with ID 9 not found."}');
    expect(t.run('close_ticket(ticket_id=6)')).toBe('{"error": "Ticket with ID 6 is already closed."}');
    expect(t.run('close_ticket(ticket_id=5)')).toBe('{"status": "Ticket 5 has been closed successfully."}');
    expect(t.run('close_ticket(ticket_id=9)')).toBe('{"error": "Ticket with ID 9 not found."}');
    expect(t.run("resolve_ticket(ticket_id=5, resolution='done')")).toBe('{"status": "Ticket 5 has been resolved successfully."}');
    expect(t.run("resolve_ticket(ticket_id=5, resolution='again')")).toBe('{"error": "Ticket with ID 5 is already resolved."}');
    expect(t.run("edit_ticket(ticket_id=5, updates={'priority': 4, 'title': None})")).toBe('{"status": "Ticket 5 has been updated successfully."}');
    expect(t.run("edit_ticket(ticket_id=5, updates={'owner': 'x'})")).toBe('{"error": "Invalid fields for update: owner"}');
    expect(t.run("edit_ticket(ticket_id=9, updates={})")).toBe('{"error": "Ticket with ID 9 not found."}');
    expect(t.run('get_ticket(ticket_id=5)')).toBe('{"id": 5, "title": "Old", "description": "d", "status": "Resolved", "priority": 4, "created_by": "sam", "resolution": "done"}');
  });

  it('get_user_tickets lists the user\'s tickets, optionally by status (any case)', () => {
    const t = backend('TicketAPI', SCENARIO);
    expect(t.run('get_user_tickets()')).toBe("[{'error': 'User not authenticated. Please log in to view tickets.'}]");
    t.run("ticket_login(username='kai', password='x')");
    expect(t.run("get_user_tickets(status='closed')")).toBe("[{'id': 6, 'title': 'Other', 'description': '', 'status': 'Closed', 'priority': 1, 'created_by': 'kai'}]");
    expect(t.run("get_user_tickets(status='Open')")).toBe('[]');
  });
});
