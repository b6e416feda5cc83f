import { formatDateTime, strptime } from '../python/datetime.js';
import { pyEquals } from '../python/equals.js';
import { abs, add, formatFixed, ge, gt, isNumber, le, mul, sub, toFloat } from '../python/numbers.js';
import { PyRandom } from '../../python-random.js';
import { pyRepr, pyStr } from '../python/repr.js';
import { deepCopy, dict, float, isDict, PyException, pyTypeName, toKey, truthy, type PyDict, type PyValue } from '../python/values.js';
import { asList, asStr, contains, defineBackend, failure, field, getItem, type LoadContext } from './base.js';
import type { LongContextFiller } from '../long-context.js';

/** TradingBot (BFCL `trading_bot.py`): a brokerage account with orders, a watchlist and a market clock. */

const DEFAULT_SEED = 1053520;
/** BFCL's fixed "now": 2024-09-01 10:30, naive. */
const CURRENT_TIME = Date.UTC(2024, 8, 1, 10, 30);

function stock(price: number, percentChange: number, volume: number, ma5: number, ma20: number): PyDict {
  return dict({ price: float(price), percent_change: float(percentChange), volume: float(volume), 'MA(5)': float(ma5), 'MA(20)': float(ma20) });
}

// Default state from BFCL's trading_bot.py (Apache-2.0); every BFCL entry overrides `stocks`
const DEFAULT_ORDERS: PyDict = new Map([
  [12345, dict({ id: 12345, order_type: 'Buy', symbol: 'AAPL', price: float(210.65), amount: 10, status: 'Completed' })],
  [12446, dict({ id: 12446, order_type: 'Sell', symbol: 'GOOG', price: float(2840.56), amount: 5, status: 'Pending' })],
]);
const DEFAULT_ACCOUNT = dict({ account_id: 12345, balance: float(10000.0), binding_card: 1974202140965533 });
const DEFAULT_STOCKS: PyDict = dict({
  AAPL: stock(227.16, 0.17, 2.552, 227.11, 227.09),
  GOOG: stock(2840.34, 0.24, 1.123, 2835.67, 2842.15),
  TSLA: stock(667.92, -0.12, 1.654, 671.15, 668.2),
  MSFT: stock(310.23, 0.09, 3.234, 309.88, 310.11),
  NVDA: stock(220.34, 0.34, 1.234, 220.45, 220.67),
  ALPH: stock(1320.45, -0.08, 1.567, 1321.12, 1325.78),
  OMEG: stock(457.23, 0.12, 2.345, 456.78, 458.12),
  QUAS: stock(725.89, -0.03, 1.789, 726.45, 728.0),
  NEPT: stock(88.34, 0.19, 0.654, 88.21, 88.67),
  SYNX: stock(345.67, 0.11, 2.112, 345.34, 346.12),
  ZETA: stock(22.09, -0.05, 0.789, 22.12, 22.34),
});

const SYMBOLS: PyDict = dict({
  Apple: 'AAPL',
  Google: 'GOOG',
  Tesla: 'TSLA',
  Microsoft: 'MSFT',
  Nvidia: 'NVDA',
  'Zeta Corp': 'ZETA',
  'Alpha Tech': 'ALPH',
  'Omega Industries': 'OMEG',
  'Quasar Ltd.': 'QUAS',
  'Neptune Systems': 'NEPT',
  'Synex Solutions': 'SYNX',
  Amazon: 'AMZN',
  Gorilla: 'GORI',
});

export class TradingBot {
  orders: PyDict = new Map();
  accountInfo: PyValue = new Map();
  authenticated: PyValue = false;
  marketStatus: PyValue = 'Closed';
  orderCounter: PyValue = 12446;
  stocks: PyValue = new Map();
  watchList: PyValue = [];
  transactionHistory: PyValue = [];
  longContext = false;
  filler: LongContextFiller | undefined;
  random = new PyRandom(DEFAULT_SEED);
}

function notAuthenticated(action: string): PyDict {
  return failure(`User not authenticated. Please log in to ${action}.`);
}

/** A uniformly random second within a day of CURRENT_TIME (Python draws randint(start, start + 86400)). */
function transactionTimestamp(bot: TradingBot): string {
  return formatDateTime(CURRENT_TIME + bot.random.randint(0, 86400) * 1000);
}

function appendTransaction(bot: TradingBot, type: string, amount: PyValue): void {
  if (!Array.isArray(bot.transactionHistory)) throw new PyException('AttributeError', `'${pyTypeName(bot.transactionHistory)}' object has no attribute 'append'`);
  bot.transactionHistory.push(dict({ type, amount, timestamp: transactionTimestamp(bot) }));
}

function balance(bot: TradingBot): PyValue {
  return getItem(bot.accountInfo, 'balance');
}

function setBalance(bot: TradingBot, value: PyValue): void {
  if (!isDict(bot.accountInfo)) throw new PyException('TypeError', `'${pyTypeName(bot.accountInfo)}' object does not support item assignment`);
  bot.accountInfo.set('balance', value);
}

/** `str.format(symbol=...)` for the long-context order templates. */
function formatTemplate(template: PyValue, symbol: PyValue): PyValue {
  if (typeof template !== 'string') return template;
  return template.replace(/\{\{|\}\}|\{([^{}]*)\}/g, (match, name: string | undefined) => {
    if (match === '{{') return '{';
    if (match === '}}') return '}';
    if (name !== 'symbol') throw new PyException('KeyError', pyRepr(name ?? ''));
    return pyStr(symbol);
  });
}

export const tradingBot = defineBackend<TradingBot>({
  name: 'TradingBot',
  docFile: 'trading_bot',
  create(scenario, context: LoadContext) {
    const bot = new TradingBot();
    const orders = field(scenario, 'orders', DEFAULT_ORDERS);
    // order ids made only of digits become ints, others stay strings (base_100 has one such key)
    bot.orders = new Map(isDict(orders) ? [...orders].map(([key, order]) => [typeof key === 'string' && /^\d+$/.test(key) ? Number(key) : key, order] as const) : []);
    bot.accountInfo = field(scenario, 'account_info', DEFAULT_ACCOUNT);
    bot.authenticated = field(scenario, 'authenticated', false);
    bot.marketStatus = field(scenario, 'market_status', 'Closed');
    bot.orderCounter = field(scenario, 'order_counter', 12446);
    bot.stocks = field(scenario, 'stocks', DEFAULT_STOCKS);
    bot.watchList = field(scenario, 'watch_list', ['NVDA']);
    bot.transactionHistory = field(scenario, 'transaction_history', []);
    bot.longContext = context.longContext !== undefined;
    bot.filler = context.longContext;
    bot.random = new PyRandom(Number(field(scenario, 'random_seed', DEFAULT_SEED)));
    return bot;
  },
  publicState: (bot) => [
    ['orders', bot.orders],
    ['account_info', bot.accountInfo],
    ['authenticated', bot.authenticated],
    ['market_status', bot.marketStatus],
    ['order_counter', bot.orderCounter],
    ['stocks', bot.stocks],
    ['watch_list', bot.watchList],
    ['transaction_history', bot.transactionHistory],
    ['long_context', bot.longContext],
  ],
  methods: {
    get_current_time: {
      params: [],
      run: () => dict({ current_time: '10:30 AM' }),
    },
    get_symbol_by_name: {
      params: ['name'],
      run: (_, { name }) => dict({ symbol: contains(SYMBOLS, name!) ? getItem(SYMBOLS, name!) : 'Stock not found' }),
    },
    get_stock_info: {
      params: ['symbol'],
      run(bot, { symbol }) {
        if (!contains(bot.stocks, symbol!)) return failure(`Stock with symbol '${pyStr(symbol!)}' not found.`);
        const info = getItem(bot.stocks, symbol!);
        if (!bot.filler || !isDict(info)) return info;
        const copy: PyDict = new Map(info);
        copy.set('MA(5)', deepCopy([...bot.filler.ma5Extension]));
        copy.set('MA(20)', deepCopy([...bot.filler.ma20Extension]));
        return copy;
      },
    },
    get_order_details: {
      params: ['order_id'],
      run(bot, { order_id }) {
        if (!contains(bot.orders, order_id!)) {
          return failure(`Order with ID ${pyStr(order_id!)} not found.Here is the list of orders_id: ${pyRepr([...bot.orders.keys()])}`);
        }
        const order = getItem(bot.orders, order_id!);
        if (!bot.filler || !isDict(order)) return order;
        const copy: PyDict = new Map(order);
        const metadata: PyDict = new Map();
        try {
          for (const [key, template] of bot.filler.orderDetailExtension) metadata.set(key, formatTemplate(template, getItem(order, 'symbol')));
        } catch (error) {
          if (error instanceof PyException && error.pyType === 'KeyError') return failure(`KeyError during formatting: ${error.message}`);
          throw error;
        }
        copy.set('metadata', metadata);
        return copy;
      },
    },
    cancel_order: {
      params: ['order_id'],
      run(bot, { order_id }) {
        if (!contains(bot.orders, order_id!)) return failure(`Order with ID ${pyStr(order_id!)} not found.`);
        const order = getItem(bot.orders, order_id!) as PyDict;
        if (order.get('status') === 'Completed') return failure(`Can't cancel order ${pyStr(order_id!)}. Order is already completed.`);
        order.set('status', 'Cancelled');
        return dict({ order_id: order_id!, status: 'Cancelled' });
      },
    },
    place_order: {
      params: ['order_type', 'symbol', 'price', 'amount'],
      run(bot, { order_type, symbol, price, amount }) {
        if (!truthy(bot.authenticated)) return notAuthenticated('place an order');
        if (!contains(bot.stocks, symbol!)) return failure(`Invalid stock symbol: ${pyStr(symbol!)}`);
        if (le(price!, 0) || le(amount!, 0)) return failure('Price and amount must be positive values.');
        if (asStr(order_type!, 'lower').toLowerCase() === 'buy') {
          const cost = mul(price!, amount!);
          const available = balance(bot);
          if (gt(cost, available)) {
            const shown = (value: PyValue) => (isNumber(value) ? formatFixed(value, 2) : pyStr(value));
            return failure(`Insufficient funds: required $${shown(cost)} but only $${shown(available)} available.`);
          }
        }
        const orderId = bot.orderCounter;
        const priceFloat = toFloat(price!);
        bot.orders.set(toKey(orderId), dict({ id: orderId, order_type: order_type!, symbol: symbol!, price: priceFloat, amount: amount!, status: 'Open' }));
        bot.orderCounter = add(bot.orderCounter, 1);
        return dict({ order_id: orderId, order_type: order_type!, status: 'Pending', price: priceFloat, amount: amount! });
      },
    },
    withdraw_funds: {
      params: ['amount'],
      run(bot, { amount }) {
        if (!truthy(bot.authenticated)) return notAuthenticated('make a transaction');
        if (bot.marketStatus !== 'Open') return failure('Market is closed. Transactions are not allowed.');
        if (le(amount!, 0)) return failure('Transaction amount must be positive.');
        if (gt(amount!, balance(bot))) return failure('Insufficient funds for withdrawal.');
        setBalance(bot, sub(balance(bot), amount!));
        appendTransaction(bot, 'withdrawal', amount!);
        return dict({ status: 'Withdrawal successful', new_balance: balance(bot) });
      },
    },
    get_account_info: {
      params: [],
      run(bot) {
        if (!truthy(bot.authenticated)) return notAuthenticated('view account information');
        return bot.accountInfo;
      },
    },
    trading_login: {
      params: ['username', 'password'],
      run(bot) {
        if (truthy(bot.authenticated)) return dict({ status: 'Already logged in' });
        bot.authenticated = true;
        return dict({ status: 'Logged in successfully' });
      },
    },
    trading_get_login_status: {
      params: [],
      run: (bot) => dict({ status: truthy(bot.authenticated) }),
    },
    trading_logout: {
      params: [],
      run(bot) {
        if (!truthy(bot.authenticated)) return dict({ status: 'No user is currently logged in' });
        bot.authenticated = false;
        return dict({ status: 'Logged out successfully' });
      },
    },
    add_to_watchlist: {
      params: ['stock'],
      run(bot, { stock: symbol }) {
        if (!contains(bot.watchList, symbol!) && contains(bot.stocks, symbol!)) (bot.watchList as PyValue[]).push(symbol!);
        return dict({ watchlist: bot.watchList });
      },
    },
    remove_stock_from_watchlist: {
      params: ['symbol'],
      run(bot, { symbol }) {
        if (!truthy(bot.authenticated)) return notAuthenticated('modify the watchlist');
        if (!contains(bot.watchList, symbol!)) return failure(`Stock ${pyStr(symbol!)} not found in watchlist.`);
        const list = bot.watchList as PyValue[];
        list.splice(
          list.findIndex((item) => pyEquals(item, symbol!)),
          1,
        );
        return dict({ status: `Stock ${pyStr(symbol!)} removed from watchlist successfully.` });
      },
    },
    get_watchlist: {
      params: [],
      run(bot) {
        if (!truthy(bot.authenticated)) return ['Error: User not authenticated. Please log in to view the watchlist.'];
        if (bot.filler) return [...asList(bot.watchList), ...bot.filler.watchListExtension];
        return dict({ watchlist: bot.watchList });
      },
    },
    get_order_history: {
      params: [],
      run(bot) {
        if (!truthy(bot.authenticated)) return [notAuthenticated('view order history')];
        return dict({ history: [...bot.orders.keys()] });
      },
    },
    get_transaction_history: {
      params: [
        ['start_date', null],
        ['end_date', null],
      ],
      run(bot, { start_date, end_date }) {
        if (!truthy(bot.authenticated)) return [notAuthenticated('view transaction history')];
        const start = truthy(start_date!) ? strptime(start_date!, '%Y-%m-%d') : -Infinity;
        const end = truthy(end_date!) ? strptime(end_date!, '%Y-%m-%d') : Infinity;
        const history = asList(bot.transactionHistory).filter((entry) => {
          const time = strptime(getItem(entry, 'timestamp'), '%Y-%m-%d %H:%M:%S');
          return start <= time && time <= end;
        });
        if (bot.filler) history.push(...deepCopy([...bot.filler.transactionHistoryExtension]));
        return dict({ transaction_history: history });
      },
    },
    get_available_stocks: {
      params: ['sector'],
      run(bot, { sector }) {
        const technology: PyValue[] = ['AAPL', 'GOOG', 'MSFT', 'NVDA'];
        const automobile: PyValue[] = ['TSLA', 'F', 'GM'];
        if (bot.filler) {
          technology.push(...bot.filler.technologyExtension);
          automobile.push(...bot.filler.automobileExtension);
        }
        const sectors = dict({ Technology: technology, Automobile: automobile });
        return dict({ stock_list: contains(sectors, sector!) ? getItem(sectors, sector!) : [] });
      },
    },
    filter_stocks_by_price: {
      params: ['stocks', 'min_price', 'max_price'],
      run(bot, { stocks, min_price, max_price }) {
        const filtered = asList(stocks!).filter((symbol) => {
          const price = contains(bot.stocks, symbol) ? getItem(getItem(bot.stocks, symbol), 'price') : 0;
          return le(min_price!, price) && le(price, max_price!);
        });
        return dict({ filtered_stocks: filtered });
      },
    },
    notify_price_change: {
      params: ['stocks', 'threshold'],
      run(bot, { stocks, threshold }) {
        const changed = asList(stocks!).filter(
          (symbol) => contains(bot.stocks, symbol) && ge(abs(getItem(getItem(bot.stocks, symbol), 'percent_change')), threshold!),
        );
        if (changed.length === 0) return dict({ notification: 'No significant price changes in the selected stocks.' });
        return dict({ notification: `Stocks ${changed.map((s) => asStr(s, 'join')).join(', ')} have significant price changes.` });
      },
    },
    fund_account: {
      params: ['amount'],
      run(bot, { amount }) {
        if (!truthy(bot.authenticated)) return notAuthenticated('fund the account');
        if (le(amount!, 0)) return failure('Funding amount must be positive.');
        setBalance(bot, add(balance(bot), amount!));
        appendTransaction(bot, 'deposit', amount!);
        return dict({ status: 'Account funded successfully', new_balance: balance(bot) });
      },
    },
  },
});
