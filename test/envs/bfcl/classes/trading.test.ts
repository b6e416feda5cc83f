import { describe, expect, it } from 'vitest';
import { backend } from '../helpers.js';

// raw JSON text: floats keep their `.0`, as in BFCL's data files
const SCENARIO = `{
  "orders": {"7": {"id": 7, "order_type": "Buy", "symbol": "AAPL", "price": 200.0, "amount": 1, "status": "Completed"},
             "8": {"id": 8, "order_type": "Sell", "symbol": "ZETA", "price": 22.0, "amount": 5, "status": "Pending"}, "note": {"id": "note"}},
  "account_info": {"account_id": 1, "balance": 1000.0, "binding_card": 4111},
  "authenticated": false, "market_status": "Open", "order_counter": 9,
  "stocks": {"AAPL": {"price": 227.16, "percent_change": 0.17, "volume": 2.552, "MA(5)": 227.11, "MA(20)": 227.09},
             "ZETA": {"price": 22.09, "percent_change": -0.05, "volume": 0.789, "MA(5)": 22.12, "MA(20)": 22.34}},
  "watch_list": ["AAPL"],
  "transaction_history": [{"type": "deposit", "amount": 10.0, "timestamp": "2024-08-30 09:00:00"}]
}`;

const bot = () => backend('TradingBot', SCENARIO);

describe('TradingBot', () => {
  it('clock, symbols and quotes', () => {
    const b = bot();
    expect(b.run('get_current_time()')).toBe('{"current_time": "10:30 AM"}');
    expect(b.run("get_symbol_by_name(name='Zeta Corp')")).toBe('{"symbol": "ZETA"}');
    expect(b.run("get_symbol_by_name(name='Acme')")).toBe('{"symbol": "Stock not found"}');
    expect(b.run("get_stock_info(symbol='ZETA')")).toBe('{"price": 22.09, "percent_change": -0.05, "volume": 0.789, "MA(5)": 22.12, "MA(20)": 22.34}');
    expect(b.run("get_stock_info(symbol='XX')")).toBe(`{"error": "Stock with symbol 'XX' not found."}`);
  });

  it('orders: digit keys become ints, others stay strings', () => {
    const b = bot();
    expect(b.run('get_order_details(order_id=8)')).toBe('{"id": 8, "order_type": "Sell", "symbol": "ZETA", "price": 22.0, "amount": 5, "status": "Pending"}');
    expect(b.run('get_order_details(order_id=99)')).toBe(`{"error": "Order with ID 99 not found.Here is the list of orders_id: [7, 8, 'note']"}`);
    expect(b.run('cancel_order(order_id=7)')).toBe(`{"error": "Can't cancel order 7. Order is already completed."}`);
    expect(b.run('cancel_order(order_id=99)')).toBe('{"error": "Order with ID 99 not found."}');
    expect(b.run('cancel_order(order_id=8)')).toBe('{"order_id": 8, "status": "Cancelled"}');
  });

  it('place_order checks in order: auth, symbol, positive values, funds', () => {
    const b = bot();
    expect(b.run("place_order(order_type='Buy', symbol='ZETA', price=22, amount=1)")).toBe('{"error": "User not authenticated. Please log in to place an order."}');
    b.run("trading_login(username='u', password='p')");
    expect(b.run("place_order(order_type='Buy', symbol='XX', price=22, amount=1)")).toBe('{"error": "Invalid stock symbol: XX"}');
    expect(b.run("place_order(order_type='Buy', symbol='ZETA', price=0, amount=1)")).toBe('{"error": "Price and amount must be positive values."}');
    expect(b.run("place_order(order_type='buy', symbol='ZETA', price=22.09, amount=1000)")).toBe('{"error": "Insufficient funds: required $22090.00 but only $1000.00 available."}');
    expect(b.run("place_order(order_type='Buy', symbol='ZETA', price=22, amount=2)")).toBe('{"order_id": 9, "order_type": "Buy", "status": "Pending", "price": 22.0, "amount": 2}');
    expect(b.run('get_order_details(order_id=9)')).toBe('{"id": 9, "order_type": "Buy", "symbol": "ZETA", "price": 22.0, "amount": 2, "status": "Open"}');
    expect(b.state('account_info')).toBe("{'account_id': 1, 'balance': 1000.0, 'binding_card': 4111}");
  });

  it('funds: withdrawals need an open market; timestamps come from the seeded RNG', () => {
    const b = bot();
    expect(b.run('withdraw_funds(amount=10)')).toBe('{"error": "User not authenticated. Please log in to make a transaction."}');
    expect(b.run('fund_account(amount=10)')).toBe('{"error": "User not authenticated. Please log in to fund the account."}');
    b.run("trading_login(username='u', password='p')");
    expect(b.run('withdraw_funds(amount=0)')).toBe('{"error": "Transaction amount must be positive."}');
    expect(b.run('withdraw_funds(amount=5000)')).toBe('{"error": "Insufficient funds for withdrawal."}');
    expect(b.run('fund_account(amount=-1)')).toBe('{"error": "Funding amount must be positive."}');
    expect(b.run('withdraw_funds(amount=500)')).toBe('{"status": "Withdrawal successful", "new_balance": 500.0}');
    expect(b.state('transaction_history')).toContain("{'type': 'withdrawal', 'amount': 500, 'timestamp': '2024-09-02 05:40:15'}");
    expect(b.run('fund_account(amount=1500)')).toBe('{"status": "Account funded successfully", "new_balance": 2000.0}');
    const closed = backend('TradingBot', SCENARIO.replace('"Open"', '"Closed"'));
    closed.run("trading_login(username='u', password='p')");
    expect(closed.run('withdraw_funds(amount=1)')).toBe('{"error": "Market is closed. Transactions are not allowed."}');
  });

  it('login state', () => {
    const b = bot();
    expect(b.run('trading_get_login_status()')).toBe('{"status": false}');
    expect(b.run('trading_logout()')).toBe('{"status": "No user is currently logged in"}');
    expect(b.run('get_account_info()')).toBe('{"error": "User not authenticated. Please log in to view account information."}');
    expect(b.run("trading_login(username='u', password='p')")).toBe('{"status": "Logged in successfully"}');
    expect(b.run("trading_login(username='u', password='p')")).toBe('{"status": "Already logged in"}');
    expect(b.run('get_account_info()')).toBe('{"account_id": 1, "balance": 1000.0, "binding_card": 4111}');
    expect(b.run('trading_logout()')).toBe('{"status": "Logged out successfully"}');
  });

  it('watchlist, histories and stock lists', () => {
    const b = bot();
    expect(b.run('get_watchlist()')).toBe("['Error: User not authenticated. Please log in to view the watchlist.']");
    expect(b.run('get_order_history()')).toBe("[{'error': 'User not authenticated. Please log in to view order history.'}]");
    expect(b.run('get_transaction_history()')).toBe("[{'error': 'User not authenticated. Please log in to view transaction history.'}]");
    expect(b.run("remove_stock_from_watchlist(symbol='AAPL')")).toBe('{"error": "User not authenticated. Please log in to modify the watchlist."}');
    expect(b.run("add_to_watchlist(stock='ZETA')")).toBe('{"watchlist": ["AAPL", "ZETA"]}');
    expect(b.run("add_to_watchlist(stock='NOPE')")).toBe('{"watchlist": ["AAPL", "ZETA"]}');
    b.run("trading_login(username='u', password='p')");
    expect(b.run("remove_stock_from_watchlist(symbol='AAPL')")).toBe('{"status": "Stock AAPL removed from watchlist successfully."}');
    expect(b.run("remove_stock_from_watchlist(symbol='AAPL')")).toBe('{"error": "Stock AAPL not found in watchlist."}');
    expect(b.run('get_watchlist()')).toBe('{"watchlist": ["ZETA"]}');
    expect(b.run('get_order_history()')).toBe('{"history": [7, 8, "note"]}');
    expect(b.run("get_transaction_history(start_date='2024-08-30', end_date='2024-08-31')")).toBe('{"transaction_history": [{"type": "deposit", "amount": 10.0, "timestamp": "2024-08-30 09:00:00"}]}');
    expect(b.run("get_transaction_history(end_date='2024-08-30')")).toBe('{"transaction_history": []}');
    expect(b.run("get_transaction_history(start_date='30/08/2024')")).toBe("Error during execution: time data '30/08/2024' does not match format '%Y-%m-%d'");
    expect(b.run("get_available_stocks(sector='Automobile')")).toBe('{"stock_list": ["TSLA", "F", "GM"]}');
    expect(b.run("get_available_stocks(sector='Food')")).toBe('{"stock_list": []}');
    expect(b.run("filter_stocks_by_price(stocks=['AAPL', 'ZETA', 'NONE'], min_price=0, max_price=100)")).toBe('{"filtered_stocks": ["ZETA", "NONE"]}');
    expect(b.run("notify_price_change(stocks=['AAPL', 'ZETA'], threshold=0.1)")).toBe('{"notification": "Stocks AAPL have significant price changes."}');
    expect(b.run("notify_price_change(stocks=['ZETA'], threshold=0.1)")).toBe('{"notification": "No significant price changes in the selected stocks."}');
  });

  it('falls back to the upstream defaults for a missing config', () => {
    const b = backend('TradingBot');
    expect(b.run('get_order_details(order_id=12345)')).toBe('{"id": 12345, "order_type": "Buy", "symbol": "AAPL", "price": 210.65, "amount": 10, "status": "Completed"}');
    expect(b.run("get_stock_info(symbol='QUAS')")).toBe('{"price": 725.89, "percent_change": -0.03, "volume": 1.789, "MA(5)": 726.45, "MA(20)": 728.0}');
  });
});
