import { strptime } from '../python/datetime.js';
import { pyEquals } from '../python/equals.js';
import { add, lt, mul, pyRound, sub, toFloat, truediv } from '../python/numbers.js';
import { PyRandom } from '../../python-random.js';
import { pyRepr, pyStr } from '../python/repr.js';
import { deepCopy, dict, float, isDict, PyException, pyTypeName, toKey, type PyDict, type PyValue } from '../python/values.js';
import { asList, asStr, contains, defineBackend, failure, field, getItem } from './base.js';

/** TravelAPI (BFCL `travel_booking.py`): flights, credit cards, bookings and a budget, behind an access token. */

const DEFAULT_SEED = 141053;

// Route base costs from BFCL's travel_booking.py (Apache-2.0), in its table order: "FROM TO:cost ..."
const ROUTES = [
  'SFO LAX:200 JFK:500 ORD:400 BOS:450 RMS:300 SBK:350 MPC:370 SVP:320 SHD:330 SSV:340 OKD:360 WLB:310 CRH:380 ATV:390 PHV:420 GFD:430 CIA:700',
  'LAX SFO:100 JFK:600 ORD:500 BOS:550 RMS:310 SBK:320 MPC:330 SVP:340 SHD:350 SSV:360 OKD:370 WLB:380 CRH:390 ATV:400 PHV:410 GFD:420 HND:430',
  'JFK ORD:300 BOS:250 RMS:450 SBK:460 MPC:470 SVP:480 SHD:490 SSV:500 OKD:510 WLB:520 CRH:530 ATV:540 PHV:550 GFD:560 LAX:570 HND:800 PVG:950 PEK:1000',
  'ORD LAX:180 BOS:200 RMS:350 SBK:360 MPC:370 SVP:380 SHD:390 SSV:400 OKD:410 WLB:420 CRH:430 ATV:440 PHV:450 GFD:460',
  'BOS RMS:400 SBK:410 MPC:420 SVP:430 SHD:440 SSV:450 OKD:460 WLB:470 CRH:480 ATV:490 PHV:500 GFD:510',
  'RMS BOS:200 JFK:210 SBK:220 MPC:230 SVP:240 SHD:250 SSV:260 OKD:270 WLB:280 CRH:290 ATV:300 PHV:310 GFD:320 LAX:330',
  'SBK MPC:200 SVP:210 SHD:220 SSV:230 OKD:240 WLB:250 CRH:260 ATV:270 PHV:280 GFD:290',
  'MPC SVP:210 SHD:220 SSV:230 OKD:240 WLB:250 CRH:260 ATV:270 PHV:280 GFD:290',
  'SVP SHD:230 SSV:240 OKD:250 WLB:260 CRH:270 ATV:280 PHV:290 GFD:300',
  'SHD SSV:220 OKD:230 WLB:240 CRH:250 ATV:260 PHV:270 GFD:280',
  'SSV OKD:240 WLB:250 CRH:260 ATV:270 PHV:280 GFD:290',
  'OKD WLB:230 CRH:240 ATV:250 PHV:260 GFD:270',
  'WLB CRH:250 ATV:260 PHV:270 GFD:280',
  'CRH ATV:240 PHV:250 GFD:260 SFO:270 RMS:280 HKG:290 JFK:300',
  'ATV PHV:230 GFD:240',
  'PHV GFD:220',
  'LHR CDG:100',
  'OKD LAX:220',
];

/** `"FROM|TO"` -> base cost, in table order. */
const BASE_COSTS = new Map<string, number>();
for (const row of ROUTES) {
  const [from, ...targets] = row.split(' ');
  for (const target of targets) {
    const [to, cost] = target.split(':');
    BASE_COSTS.set(`${from}|${to}`, Number(cost));
  }
}

const AIRPORTS = ['RMS', 'SBK', 'MPC', 'SVP', 'SHD', 'CDG', 'LHR', 'SSV', 'OKD', 'WLB', 'PEK', 'HND', 'HKG', 'CIA', 'CRH', 'ATV', 'PHV', 'GFD', 'SFO', 'LAX', 'JFK', 'ORD', 'BOS'];

const NEAREST_AIRPORT: PyDict = dict({
  Rivermist: 'RMS',
  Stonebrook: 'SBK',
  Maplecrest: 'MPC',
  Silverpine: 'SVP',
  Shadowridge: 'SHD',
  London: 'LHR',
  Paris: 'CDG',
  'Sunset Valley': 'SSV',
  Oakendale: 'OKD',
  Willowbend: 'WLB',
  'Crescent Hollow': 'CRH',
  Autumnville: 'ATV',
  Pinehaven: 'PHV',
  Greenfield: 'GFD',
  'San Francisco': 'SFO',
  'Los Angeles': 'LAX',
  'New York': 'JFK',
  Chicago: 'ORD',
  Boston: 'BOS',
  Beijing: 'PEK',
  'Hong Kong': 'HKG',
  Rome: 'CIA',
  Tokyo: 'HND',
});

// USD -> currency; the other direction divides and rounds to 2 places
const EXCHANGE_RATES: ReadonlyArray<readonly [string, PyValue]> = [
  ['RMB', 7],
  ['EUR', float(0.8)],
  ['JPY', 110],
  ['GBP', float(0.7)],
  ['CAD', float(1.3)],
  ['AUD', float(1.4)],
  ['INR', 70],
  ['RUB', 60],
  ['BRL', float(3.8)],
  ['MXN', 20],
];

const CLASS_FACTORS: Readonly<Record<string, number>> = { economy: 1, business: 2, first: 5 };

export class TravelAPI {
  creditCardList: PyValue = new Map();
  bookingRecord: PyValue = new Map();
  accessToken: PyValue = null;
  tokenType: PyValue = null;
  tokenExpiresIn: PyValue = null;
  tokenScope: PyValue = null;
  userFirstName: PyValue = null;
  userLastName: PyValue = null;
  budgetLimit: PyValue = null;
  longContext = false;
  random = new PyRandom(DEFAULT_SEED);
  flightCostLookup = new Map<string, PyValue>();
}

/** The shared token checks: expired first, then a different token. */
function tokenProblem(api: TravelAPI, token: PyValue): string | undefined {
  if (pyEquals(api.tokenExpiresIn, 0)) return 'Token expired';
  if (!pyEquals(token, api.accessToken)) return 'Invalid access token';
  return undefined;
}

function cards(api: TravelAPI): PyDict {
  if (!isDict(api.creditCardList)) throw new PyException('TypeError', `'${pyTypeName(api.creditCardList)}' object is not subscriptable`);
  return api.creditCardList;
}

function bookings(api: TravelAPI): PyDict {
  if (!isDict(api.bookingRecord)) throw new PyException('TypeError', `'${pyTypeName(api.bookingRecord)}' object is not subscriptable`);
  return api.bookingRecord;
}

function routeKey(from: PyValue, to: PyValue): string | undefined {
  toKey(from);
  toKey(to);
  return typeof from === 'string' && typeof to === 'string' ? `${from}|${to}` : undefined;
}

function flightCost(api: TravelAPI, from: PyValue, to: PyValue, date: PyValue, travelClass: PyValue): PyValue {
  const key = routeKey(from, to);
  const base = key === undefined ? undefined : BASE_COSTS.get(key);
  if (base === undefined) throw new PyException('ValueError', 'No available route for the given airports.');
  const factor = typeof travelClass === 'string' && Object.hasOwn(CLASS_FACTORS, travelClass) ? CLASS_FACTORS[travelClass]! : undefined;
  if (factor === undefined) throw new PyException('ValueError', 'Invalid travel class. Options are: economy, business, first.');
  let digitSum = 0;
  for (const char of asList(date)) if (typeof char === 'string' && /^\p{Nd}$/u.test(char)) digitSum += Number(char);
  const multiplier = digitSum % 2 === 0 ? 2 : 1;
  const cacheKey = (f: string, t: string) => `${f}|${t}|${pyStr(travelClass)}|${pyStr(date)}`;
  if (api.longContext) {
    api.flightCostLookup = new Map();
    const costs: PyValue[] = [];
    for (const [route, routeBase] of BASE_COSTS) {
      const [f, t] = route.split('|') as [string, string];
      const cost = float(routeBase * factor * multiplier);
      api.flightCostLookup.set(cacheKey(f, t), cost);
      costs.push(cost);
    }
    return dict({ travel_cost_list: costs });
  }
  const cost = float(base * factor * multiplier);
  api.flightCostLookup = new Map([[cacheKey(from as string, to as string), cost]]);
  return dict({ travel_cost_list: [cost] });
}

function today(): { year: number; month: number; day: number } {
  const now = new Date();
  return { year: now.getFullYear(), month: now.getMonth() + 1, day: now.getDate() };
}

export const travelApi = defineBackend<TravelAPI>({
  name: 'TravelAPI',
  docFile: 'travel_booking',
  create(scenario, context) {
    const api = new TravelAPI();
    api.random = new PyRandom(Number(field(scenario, 'random_seed', DEFAULT_SEED)));
    api.creditCardList = field(scenario, 'credit_card_list', new Map());
    api.bookingRecord = field(scenario, 'booking_record', new Map());
    api.accessToken = field(scenario, 'access_token', null);
    api.tokenType = field(scenario, 'token_type', null);
    api.tokenExpiresIn = field(scenario, 'token_expires_in', null);
    api.tokenScope = field(scenario, 'token_scope', null);
    api.userFirstName = field(scenario, 'user_first_name', null);
    api.userLastName = field(scenario, 'user_last_name', null);
    api.budgetLimit = field(scenario, 'budget_limit', null);
    const filler = context.longContext;
    api.longContext = filler !== undefined;
    if (filler) {
      // existing ids win; copies, so instances never share the filler's objects
      for (const [id, card] of filler.creditCardExtension) if (!cards(api).has(id)) cards(api).set(id, deepCopy(card));
      for (const [id, booking] of filler.bookingRecordExtension) if (!bookings(api).has(id)) bookings(api).set(id, deepCopy(booking));
    }
    return api;
  },
  publicState: (api) => [
    ['credit_card_list', api.creditCardList],
    ['booking_record', api.bookingRecord],
    ['access_token', api.accessToken],
    ['token_type', api.tokenType],
    ['token_expires_in', api.tokenExpiresIn],
    ['token_scope', api.tokenScope],
    ['user_first_name', api.userFirstName],
    ['user_last_name', api.userLastName],
    ['budget_limit', api.budgetLimit],
    ['long_context', api.longContext],
  ],
  methods: {
    authenticate_travel: {
      params: ['client_id', 'client_secret', 'refresh_token', 'grant_type', 'user_first_name', 'user_last_name'],
      run(api, { grant_type, user_first_name, user_last_name }) {
        api.tokenExpiresIn = 2;
        api.accessToken = String(api.random.randint(100000, 999999));
        api.tokenType = 'Bearer';
        api.tokenScope = grant_type!;
        api.userFirstName = user_first_name!;
        api.userLastName = user_last_name!;
        return dict({ expires_in: 2, access_token: api.accessToken, token_type: 'Bearer', scope: grant_type! });
      },
    },
    travel_get_login_status: {
      params: [],
      run: (api) => dict({ status: !(api.tokenExpiresIn === null || pyEquals(api.tokenExpiresIn, 0)) }),
    },
    get_budget_fiscal_year: {
      params: [
        ['lastModifiedAfter', null],
        ['includeRemoved', null],
      ],
      run: () => dict({ budget_fiscal_year: '2018' }),
    },
    register_credit_card: {
      params: ['access_token', 'card_number', 'expiration_date', 'cardholder_name', 'card_verification_number'],
      run(api, { access_token, card_number, expiration_date, cardholder_name, card_verification_number }) {
        if (api.tokenExpiresIn === null) return failure('Token not initialized');
        const problem = tokenProblem(api, access_token!);
        if (problem) return failure(problem);
        if (contains(cards(api), card_number!)) return failure('Card already registered');
        const cardId = String(api.random.randint(100000000000, 999999999999));
        const balance = api.random.randint(10000, 99999);
        cards(api).set(
          cardId,
          dict({ card_number: card_number!, expiration_date: expiration_date!, cardholder_name: cardholder_name!, card_verification_number: card_verification_number!, balance }),
        );
        return dict({ card_id: cardId });
      },
    },
    get_flight_cost: {
      params: ['travel_from', 'travel_to', 'travel_date', 'travel_class'],
      run: (api, { travel_from, travel_to, travel_date, travel_class }) => flightCost(api, travel_from!, travel_to!, travel_date!, travel_class!),
    },
    get_credit_card_balance: {
      params: ['access_token', 'card_id'],
      run(api, { access_token, card_id }) {
        const problem = tokenProblem(api, access_token!);
        if (problem) return failure(problem);
        if (!contains(cards(api), card_id!)) return failure(`Card not registered. Here are a list of card_id's: ${pyRepr([...cards(api).keys()])}`);
        return dict({ card_balance: getItem(getItem(cards(api), card_id!), 'balance') });
      },
    },
    book_flight: {
      params: ['access_token', 'card_id', 'travel_date', 'travel_from', 'travel_to', 'travel_class'],
      run(api, { access_token, card_id, travel_date, travel_from, travel_to, travel_class }) {
        const fail = (error: string) => dict({ booking_status: false, error });
        const problem = tokenProblem(api, access_token!);
        if (problem) return fail(problem);
        if (!contains(cards(api), card_id!)) return fail('Card not registered');
        const card = getItem(cards(api), card_id!);
        if (!contains(card, 'balance')) return fail('Balance not found');
        if (!contains(AIRPORTS, travel_from!)) return fail(`Invalid departure airport code: ${pyStr(travel_from!)}`);
        if (!contains(AIRPORTS, travel_to!)) return fail(`Invalid destination airport code: ${pyStr(travel_to!)}`);
        try {
          strptime(travel_date!, '%Y-%m-%d');
        } catch (error) {
          if (error instanceof PyException && error.pyType === 'ValueError') return fail('Invalid date format. Use YYYY-MM-DD.');
          throw error;
        }
        // Python prints a set here, whose order varies between processes; this is one of its orders
        if (!contains(['economy', 'business', 'first'], travel_class!)) return fail("Invalid travel class. Must be one of {'economy', 'business', 'first'}");
        let cost: PyValue;
        try {
          flightCost(api, travel_from!, travel_to!, travel_date!, travel_class!);
          const entry = api.flightCostLookup.get(`${pyStr(travel_from!)}|${pyStr(travel_to!)}|${pyStr(travel_class!)}|${pyStr(travel_date!)}`);
          if (entry === undefined) return fail('No available route for the given parameters');
          cost = entry;
        } catch (error) {
          if (error instanceof PyException && error.pyType === 'ValueError') return fail(error.message);
          throw error;
        }
        const balance = getItem(card, 'balance');
        if (lt(balance, cost)) return fail('Insufficient funds');
        if (api.budgetLimit !== null && lt(balance, api.budgetLimit)) return fail('Balance is less than budget limit');
        (card as PyDict).set('balance', sub(balance, cost));
        const bookingId = String(api.random.randint(1000000, 9999999));
        const transactionId = String(api.random.randint(10000000, 99999999));
        bookings(api).set(
          bookingId,
          dict({ card_id: card_id!, travel_date: travel_date!, travel_from: travel_from!, travel_to: travel_to!, travel_class: travel_class!, travel_cost: cost, transaction_id: transactionId }),
        );
        return dict({ booking_id: bookingId, transaction_id: transactionId, booking_status: true, booking_history: api.longContext ? bookings(api) : new Map() });
      },
    },
    retrieve_invoice: {
      params: ['access_token', ['booking_id', null], ['insurance_id', null]],
      run(api, { access_token, booking_id }) {
        const problem = tokenProblem(api, access_token!);
        if (problem) return failure(problem);
        if (!contains(bookings(api), booking_id!)) return failure('Booking not found');
        const booking = getItem(bookings(api), booking_id!);
        const invoice = dict({ booking_id: booking_id! });
        for (const key of ['travel_date', 'travel_from', 'travel_to', 'travel_class', 'travel_cost', 'transaction_id']) invoice.set(key, getItem(booking, key));
        return dict({ invoice });
      },
    },
    get_booking_history: {
      params: ['access_token'],
      run(api, { access_token }) {
        const problem = tokenProblem(api, access_token!);
        if (problem) return failure(problem);
        return dict({ booking_history: deepCopy(bookings(api)) });
      },
    },
    list_all_airports: {
      params: [],
      run: () => [...AIRPORTS],
    },
    cancel_booking: {
      params: ['access_token', 'booking_id'],
      run(api, { access_token, booking_id }) {
        const fail = (error: string) => dict({ cancel_status: false, error });
        const problem = tokenProblem(api, access_token!);
        if (problem) return fail(problem);
        if (!contains(bookings(api), booking_id!)) return fail('Booking not found');
        const booking = getItem(bookings(api), booking_id!);
        const card = getItem(cards(api), getItem(booking, 'card_id')) as PyDict;
        card.set('balance', add(getItem(card, 'balance'), getItem(booking, 'travel_cost')));
        bookings(api).delete(toKey(booking_id!));
        return dict({ cancel_status: true });
      },
    },
    compute_exchange_rate: {
      params: ['base_currency', 'target_currency', 'value'],
      run(_, { base_currency, target_currency, value }) {
        for (const [currency, rate] of EXCHANGE_RATES) {
          if (pyEquals(base_currency!, 'USD') && pyEquals(target_currency!, currency)) return dict({ exchanged_value: toFloat(mul(value!, rate)) });
          if (pyEquals(base_currency!, currency) && pyEquals(target_currency!, 'USD')) return dict({ exchanged_value: pyRound(truediv(value!, rate), 2) });
        }
        throw new PyException('ValueError', 'No available exchange rate for the given currencies.');
      },
    },
    verify_traveler_information: {
      params: ['first_name', 'last_name', 'date_of_birth', 'passport_number'],
      run(api, { first_name, last_name, date_of_birth, passport_number }) {
        if (!pyEquals(api.userFirstName, first_name!) || !pyEquals(api.userLastName, last_name!)) {
          return dict({
            verification_status: false,
            verification_failure: `Cannot book flight information for another user.Expected ${pyStr(api.userFirstName)} ${pyStr(api.userLastName)}, got ${pyStr(first_name!)} ${pyStr(last_name!)}`,
          });
        }
        let birth: Date;
        try {
          birth = new Date(strptime(date_of_birth!, '%Y-%m-%d'));
        } catch (error) {
          if (error instanceof PyException && error.pyType === 'ValueError') {
            return dict({ verification_status: false, verification_failure: 'Invalid date of birth format. Please use YYYY-MM-DD.' });
          }
          throw error;
        }
        // BFCL computes the age against the real current date
        const now = today();
        const beforeBirthday = now.month < birth.getUTCMonth() + 1 || (now.month === birth.getUTCMonth() + 1 && now.day < birth.getUTCDate());
        const age = now.year - birth.getUTCFullYear() - (beforeBirthday ? 1 : 0);
        if (age < 18) return dict({ verification_status: false, verification_failure: 'Traveler must be at least 18 years old.' });
        if (!asStr(passport_number!, 'startswith').startsWith('US')) {
          return dict({ verification_status: false, verification_failure: 'Passport must be issued by the United States.' });
        }
        return dict({ verification_status: true });
      },
    },
    set_budget_limit: {
      params: ['access_token', 'budget_limit'],
      run(api, { access_token, budget_limit }) {
        const problem = tokenProblem(api, access_token!);
        if (problem) return failure(problem);
        api.budgetLimit = toFloat(budget_limit!);
        return dict({ budget_limit: api.budgetLimit });
      },
    },
    get_nearest_airport_by_city: {
      params: ['location'],
      run: (_, { location }) => dict({ nearest_airport: contains(NEAREST_AIRPORT, location!) ? getItem(NEAREST_AIRPORT, location!) : 'Unknown' }),
    },
    purchase_insurance: {
      params: ['access_token', 'insurance_type', 'booking_id', 'insurance_cost', 'card_id'],
      run(api, { access_token, booking_id, insurance_cost, card_id }) {
        const fail = (error: string) => dict({ insurance_status: false, error });
        const problem = tokenProblem(api, access_token!);
        if (problem) return fail(problem);
        if (api.budgetLimit !== null && lt(api.budgetLimit, insurance_cost!)) return fail('Exceeded budget limit');
        if (!contains(bookings(api), booking_id!)) return fail('Booking not found');
        if (!contains(cards(api), card_id!)) return fail('Credit card not registered');
        const card = getItem(cards(api), card_id!) as PyDict;
        card.set('balance', sub(getItem(card, 'balance'), insurance_cost!));
        return dict({ insurance_id: String(api.random.randint(100000000, 999999999)), insurance_status: true });
      },
    },
    contact_customer_support: {
      params: ['booking_id', 'message'],
      run(api, { booking_id }) {
        if (!contains(bookings(api), booking_id!)) return failure('Booking not found');
        return dict({ customer_support_message: 'Thank you for contacting customer support. Your message has been received and we will get back to you shortly.' });
      },
    },
    get_all_credit_cards: {
      params: [],
      run: (api) => dict({ credit_card_list: api.creditCardList }),
    },
  },
});
