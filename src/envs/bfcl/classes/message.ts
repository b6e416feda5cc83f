import { pyEquals } from '../python/equals.js';
import { add } from '../python/numbers.js';
import { PyRandom } from '../../python-random.js';
import { pyStr } from '../python/repr.js';
import { dict, isDict, PyException, pyTypeName, toKey, truthy, type PyDict, type PyObject, type PyValue } from '../python/values.js';
import { asList, asStr, contains, defineBackend, failure, field, getItem } from './base.js';

/** MessageAPI (BFCL `message_api.py`): a workspace messenger whose inbox lists `{receiver_id: text}`. */

/** A Python set of ints (`generated_ids`): equal by membership. */
export class PyIntSet implements PyObject {
  readonly pyType = 'set';
  constructor(readonly items = new Set<PyValue>()) {}
  pyEquals(other: PyValue): boolean {
    if (!(other instanceof PyIntSet) || other.items.size !== this.items.size) return false;
    for (const item of this.items) if (!other.items.has(item)) return false;
    return true;
  }
  pyRepr(): string {
    return this.items.size === 0 ? 'set()' : `{${[...this.items].map(pyStr).join(', ')}}`;
  }
}

const DEFAULT_SEED = 200191;

function defaultState(): PyDict {
  return dict({
    generated_ids: [],
    user_count: 4,
    user_map: dict({ Alice: 'USR001', Bob: 'USR002', Catherine: 'USR003', Daniel: 'USR004' }),
    inbox: [dict({ USR002: 'My name is Alice. I want to connect.' }), dict({ USR003: 'Could you upload the file?' }), dict({ USR004: 'Could you upload the file?' })],
    message_count: 3,
    current_user: null,
  });
}
const DEFAULTS = defaultState();

export class MessageAPI {
  generatedIds = new PyIntSet();
  userCount: PyValue = 4;
  userMap: PyValue = new Map();
  inbox: PyValue = [];
  messageCount: PyValue = 3;
  currentUser: PyValue = null;
  random = new PyRandom(DEFAULT_SEED);
}

const NOT_LOGGED_IN = 'No user is currently logged in.';

function userIds(api: MessageAPI): PyValue[] {
  if (!isDict(api.userMap)) throw new PyException('AttributeError', `'${pyTypeName(api.userMap)}' object has no attribute 'values'`);
  return [...api.userMap.values()];
}

function inboxEntries(api: MessageAPI): Array<[PyValue, PyValue]> {
  return asList(api.inbox).map((message) => {
    if (!isDict(message) || message.size === 0) throw new PyException('IndexError', 'list index out of range');
    const [receiver, text] = message.entries().next().value as [string | number, PyValue];
    return [receiver, text];
  });
}

function inboxList(api: MessageAPI): PyValue[] {
  if (!Array.isArray(api.inbox)) throw new PyException('AttributeError', `'${pyTypeName(api.inbox)}' object has no attribute 'append'`);
  return api.inbox;
}

export const messageApi = defineBackend<MessageAPI>({
  name: 'MessageAPI',
  docFile: 'message_api',
  create(scenario) {
    const api = new MessageAPI();
    api.random = new PyRandom(Number(field(scenario, 'random_seed', DEFAULT_SEED)));
    api.generatedIds = new PyIntSet(new Set(asList(field(scenario, 'generated_ids', []))));
    api.userCount = field(scenario, 'user_count', DEFAULTS.get('user_count')!);
    api.userMap = field(scenario, 'user_map', DEFAULTS.get('user_map')!);
    api.inbox = field(scenario, 'inbox', DEFAULTS.get('inbox')!);
    api.messageCount = field(scenario, 'message_count', DEFAULTS.get('message_count')!);
    api.currentUser = field(scenario, 'current_user', DEFAULTS.get('current_user')!);
    return api;
  },
  publicState: (api) => [
    ['generated_ids', api.generatedIds],
    ['user_count', api.userCount],
    ['user_map', api.userMap],
    ['inbox', api.inbox],
    ['message_count', api.messageCount],
    ['current_user', api.currentUser],
  ],
  methods: {
    list_users: {
      params: [],
      run: (api) => dict({ user_list: asList(api.userMap).slice() }),
    },
    get_user_id: {
      params: ['user'],
      run(api, { user }) {
        if (!contains(api.userMap, user!)) return failure(`User '${pyStr(user!)}' not found in the workspace.`);
        return dict({ user_id: getItem(api.userMap, user!) });
      },
    },
    message_login: {
      params: ['user_id'],
      run(api, { user_id }) {
        if (!contains(userIds(api), user_id!)) return dict({ login_status: false, message: `User ID '${pyStr(user_id!)}' not found.` });
        api.currentUser = user_id!;
        return dict({ login_status: true, message: `User '${pyStr(user_id!)}' logged in successfully.` });
      },
    },
    message_get_login_status: {
      params: [],
      run: (api) => dict({ login_status: truthy(api.currentUser) }),
    },
    send_message: {
      params: ['receiver_id', 'message'],
      run(api, { receiver_id, message }) {
        if (!truthy(api.currentUser)) return failure(NOT_LOGGED_IN);
        if (!contains(userIds(api), receiver_id!)) return failure(`Receiver ID '${pyStr(receiver_id!)}' not found.`);
        let id = api.random.randint(10000, 99999);
        while (api.generatedIds.items.has(id)) id = api.random.randint(10000, 99999);
        api.generatedIds.items.add(id);
        inboxList(api).push(new Map([[toKey(receiver_id!), message!]]));
        api.messageCount = add(api.messageCount, 1);
        return dict({ sent_status: true, message_id: dict({ new_id: id }), message: `Message sent to '${pyStr(receiver_id!)}' successfully.` });
      },
    },
    delete_message: {
      params: ['receiver_id'],
      run(api, { receiver_id }) {
        if (!truthy(api.currentUser)) return failure(NOT_LOGGED_IN);
        const inbox = inboxList(api);
        const entries = inboxEntries(api);
        for (let i = entries.length - 1; i >= 0; i -= 1) {
          if (!pyEquals(entries[i]![0], receiver_id!)) continue;
          // list.remove deletes the first *equal* message, which may be an earlier duplicate
          const latest = inbox[i]!;
          inbox.splice(
            inbox.findIndex((entry) => pyEquals(entry, latest)),
            1,
          );
          return dict({ deleted_status: true, receiver_id: receiver_id!, message: `Receiver ${pyStr(receiver_id!)}'s latest message deleted successfully.` });
        }
        return failure(`Receiver ID ${pyStr(receiver_id!)} not found.`);
      },
    },
    view_messages_sent: {
      params: [],
      run(api) {
        if (!truthy(api.currentUser)) return failure(NOT_LOGGED_IN);
        const messages: PyDict = new Map();
        for (const [receiver, text] of inboxEntries(api)) {
          const key = toKey(receiver);
          const list = messages.get(key);
          if (Array.isArray(list)) list.push(text);
          else messages.set(key, [text]);
        }
        return dict({ messages });
      },
    },
    add_contact: {
      params: ['user_name'],
      run(api, { user_name }) {
        if (contains(api.userMap, user_name!)) return failure(`User name '${pyStr(user_name!)}' already exists.`);
        api.userCount = add(api.userCount, 1);
        const userId = `USR${pyStr(api.userCount).padStart(3, '0')}`;
        if (contains(userIds(api), userId)) return failure(`User ID '${userId}' already exists.`);
        (api.userMap as PyDict).set(toKey(user_name!), userId);
        return dict({ added_status: true, user_id: userId, message: `Contact '${pyStr(user_name!)}' added successfully.` });
      },
    },
    search_messages: {
      params: ['keyword'],
      run(api, { keyword }) {
        if (!truthy(api.currentUser)) return failure(NOT_LOGGED_IN);
        const needle = asStr(keyword!, 'lower').toLowerCase();
        const results = inboxEntries(api)
          .filter(([, text]) => asStr(text, 'lower').toLowerCase().includes(needle))
          .map(([receiver, text]) => dict({ receiver_id: receiver, message: text }));
        return dict({ results });
      },
    },
    get_message_stats: {
      params: [],
      run(api) {
        if (!truthy(api.currentUser)) return failure(NOT_LOGGED_IN);
        const entries = inboxEntries(api);
        const receivers = new Set(entries.map(([receiver]) => toKey(receiver)));
        return dict({ stats: dict({ received_count: entries.length, total_contacts: receivers.size }) });
      },
    },
  },
});
