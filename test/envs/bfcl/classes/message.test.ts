import { describe, expect, it } from 'vitest';
import { backend } from '../helpers.js';

describe('MessageAPI', () => {
  it('defaults: four users, three inbox messages, nobody logged in', () => {
    const m = backend('MessageAPI');
    expect(m.run('list_users()')).toBe('{"user_list": ["Alice", "Bob", "Catherine", "Daniel"]}');
    expect(m.run('message_get_login_status()')).toBe('{"login_status": false}');
    expect(m.state('inbox')).toBe("[{'USR002': 'My name is Alice. I want to connect.'}, {'USR003': 'Could you upload the file?'}, {'USR004': 'Could you upload the file?'}]");
  });

  it('get_user_id and message_login', () => {
    const m = backend('MessageAPI');
    expect(m.run("get_user_id(user='Bob')")).toBe('{"user_id": "USR002"}');
    expect(m.run("get_user_id(user='Zed')")).toBe(`{"error": "User 'Zed' not found in the workspace."}`);
    expect(m.run("message_login(user_id='USR999')")).toBe(`{"login_status": false, "message": "User ID 'USR999' not found."}`);
    expect(m.run("message_login(user_id='USR001')")).toBe(`{"login_status": true, "message": "User 'USR001' logged in successfully."}`);
    expect(m.run('message_get_login_status()')).toBe('{"login_status": true}');
  });

  it('send_message draws ids from the seeded RNG (first id 67410) and counts', () => {
    const m = backend('MessageAPI');
    expect(m.run("send_message(receiver_id='USR002', message='hi')")).toBe('{"error": "No user is currently logged in."}');
    m.run("message_login(user_id='USR001')");
    expect(m.run("send_message(receiver_id='USR404', message='hi')")).toBe(`{"error": "Receiver ID 'USR404' not found."}`);
    expect(m.run("send_message(receiver_id='USR002', message='hi')")).toBe(`{"sent_status": true, "message_id": {"new_id": 67410}, "message": "Message sent to 'USR002' successfully."}`);
    expect(m.state('message_count')).toBe('4');
    expect(m.state('generated_ids')).toBe('{67410}');
  });

  it('delete_message removes the latest message to a receiver (the first equal one, as list.remove)', () => {
    const m = backend('MessageAPI', JSON.stringify({ inbox: [{ USR002: 'dup' }, { USR003: 'other' }, { USR002: 'dup' }], current_user: 'USR001' }));
    expect(m.run("delete_message(receiver_id='USR002')")).toBe(`{"deleted_status": true, "receiver_id": "USR002", "message": "Receiver USR002's latest message deleted successfully."}`);
    expect(m.state('inbox')).toBe("[{'USR003': 'other'}, {'USR002': 'dup'}]");
    expect(m.run("delete_message(receiver_id='USR009')")).toBe('{"error": "Receiver ID USR009 not found."}');
    expect(m.state('message_count')).toBe('3');
  });

  it('view_messages_sent, search_messages and get_message_stats need a login', () => {
    const m = backend('MessageAPI');
    expect(m.run('view_messages_sent()')).toBe('{"error": "No user is currently logged in."}');
    expect(m.run("search_messages(keyword='x')")).toBe('{"error": "No user is currently logged in."}');
    expect(m.run('get_message_stats()')).toBe('{"error": "No user is currently logged in."}');
    m.run("message_login(user_id='USR001')");
    expect(m.run('view_messages_sent()')).toBe('{"messages": {"USR002": ["My name is Alice. I want to connect."], "USR003": ["Could you upload the file?"], "USR004": ["Could you upload the file?"]}}');
    expect(m.run("search_messages(keyword='UPLOAD')")).toBe('{"results": [{"receiver_id": "USR003", "message": "Could you upload the file?"}, {"receiver_id": "USR004", "message": "Could you upload the file?"}]}');
    expect(m.run('get_message_stats()')).toBe('{"stats": {"received_count": 3, "total_contacts": 3}}');
  });

  it('add_contact numbers users; a taken id still bumps the counter', () => {
    const m = backend('MessageAPI');
    expect(m.run("add_contact(user_name='Eve')")).toBe(`{"added_status": true, "user_id": "USR005", "message": "Contact 'Eve' added successfully."}`);
    expect(m.run("add_contact(user_name='Eve')")).toBe(`{"error": "User name 'Eve' already exists."}`);
    const clash = backend('MessageAPI', JSON.stringify({ user_count: 3, user_map: { A: 'USR001', D: 'USR004' } }));
    expect(clash.run("add_contact(user_name='E')")).toBe(`{"error": "User ID 'USR004' already exists."}`);
    expect(clash.state('user_count')).toBe('4');
  });
});
