import { describe, expect, it } from 'vitest';
import { backend } from '../helpers.js';

const SCENARIO = `{
  "credit_card_list": {"c1": {"card_number": "4000", "expiration_date": "01/2030", "cardholder_name": "Lee Park", "card_verification_number": 1, "balance": 1000.0},
                       "c2": {"card_type": "Visa", "expiry_date": "2030"}},
  "booking_record": {"b1": {"card_id": "c1", "travel_date": "2026-01-02", "travel_from": "SFO", "travel_to": "LAX", "travel_class": "economy", "travel_cost": 200.0, "transaction_id": "t1"}},
  "access_token": "tok", "token_type": "Bearer", "token_expires_in": 2, "token_scope": "read_write",
  "user_first_name": "Lee", "user_last_name": "Park", "budget_limit": null
}`;

const travel = () => backend('TravelAPI', SCENARIO);

describe('TravelAPI', () => {
  it('authenticate_travel draws a 6-digit token from the seeded RNG', () => {
    const t = backend('TravelAPI');
    expect(t.run('travel_get_login_status()')).toBe('{"status": false}');
    expect(t.run("authenticate_travel(client_id='a', client_secret='b', refresh_token='c', grant_type='read', user_first_name='Lee', user_last_name='Park')")).toBe(
      '{"expires_in": 2, "access_token": "251675", "token_type": "Bearer", "scope": "read"}',
    );
    expect(t.run('travel_get_login_status()')).toBe('{"status": true}');
    expect(t.run('get_budget_fiscal_year()')).toBe('{"budget_fiscal_year": "2018"}');
  });

  it('token checks: expired, invalid, uninitialised (register only)', () => {
    expect(backend('TravelAPI').run("register_credit_card(access_token='x', card_number='1', expiration_date='1', cardholder_name='n', card_verification_number=1)")).toBe(
      '{"error": "Token not initialized"}',
    );
    expect(travel().run("get_booking_history(access_token='bad')")).toBe('{"error": "Invalid access token"}');
    const expired = backend('TravelAPI', SCENARIO.replace('"token_expires_in": 2', '"token_expires_in": 0'));
    expect(expired.run("get_booking_history(access_token='tok')")).toBe('{"error": "Token expired"}');
    expect(expired.run("cancel_booking(access_token='tok', booking_id='b1')")).toBe('{"cancel_status": false, "error": "Token expired"}');
  });

  it('register_credit_card stores a card with a random id and balance', () => {
    const t = travel();
    expect(t.run("register_credit_card(access_token='tok', card_number='c1', expiration_date='1', cardholder_name='n', card_verification_number=1)")).toBe('{"error": "Card already registered"}');
    expect(t.run("register_credit_card(access_token='tok', card_number='5555', expiration_date='02/2031', cardholder_name='Lee Park', card_verification_number=321)")).toBe(
      '{"card_id": "262919693687"}',
    );
    expect(t.run("get_credit_card_balance(access_token='tok', card_id='262919693687')")).toBe('{"card_balance": 44620}');
  });

  it('flight costs follow the route table, class and date parity', () => {
    const t = travel();
    expect(t.run("get_flight_cost(travel_from='SFO', travel_to='LAX', travel_date='2026-05-04', travel_class='economy')")).toBe('{"travel_cost_list": [200.0]}');
    expect(t.run("get_flight_cost(travel_from='SFO', travel_to='LAX', travel_date='2026-05-05', travel_class='first')")).toBe('{"travel_cost_list": [2000.0]}');
    expect(t.run("get_flight_cost(travel_from='LAX', travel_to='SBK', travel_date='2026-05-04', travel_class='cargo')")).toBe('Error during execution: Invalid travel class. Options are: economy, business, first.');
    expect(t.run("get_flight_cost(travel_from='SBK', travel_to='RMS', travel_date='2026-05-04', travel_class='economy')")).toBe('Error during execution: No available route for the given airports.');
  });

  it('book_flight checks in order and debits the card', () => {
    const t = travel();
    const book = (args: string) => t.run(`book_flight(access_token='tok', ${args})`);
    expect(book("card_id='zz', travel_date='2026-05-04', travel_from='SFO', travel_to='LAX', travel_class='economy'")).toBe('{"booking_status": false, "error": "Card not registered"}');
    expect(book("card_id='c2', travel_date='2026-05-04', travel_from='SFO', travel_to='LAX', travel_class='economy'")).toBe('{"booking_status": false, "error": "Balance not found"}');
    expect(book("card_id='c1', travel_date='2026-05-04', travel_from='XXX', travel_to='LAX', travel_class='economy'")).toBe('{"booking_status": false, "error": "Invalid departure airport code: XXX"}');
    expect(book("card_id='c1', travel_date='2026-05-04', travel_from='SFO', travel_to='XXX', travel_class='economy'")).toBe('{"booking_status": false, "error": "Invalid destination airport code: XXX"}');
    expect(book("card_id='c1', travel_date='May 4', travel_from='SFO', travel_to='LAX', travel_class='economy'")).toBe('{"booking_status": false, "error": "Invalid date format. Use YYYY-MM-DD."}');
    expect(book("card_id='c1', travel_date='2026-05-04', travel_from='SBK', travel_to='RMS', travel_class='economy'")).toBe('{"booking_status": false, "error": "No available route for the given airports."}');
    expect(book("card_id='c1', travel_date='2026-05-05', travel_from='SFO', travel_to='CIA', travel_class='first'")).toBe('{"booking_status": false, "error": "Insufficient funds"}');
    expect(book("card_id='c1', travel_date='2026-05-04', travel_from='SFO', travel_to='LAX', travel_class='economy'")).toBe(
      '{"booking_id": "3426812", "transaction_id": "45451592", "booking_status": true, "booking_history": {}}',
    );
    expect(t.run("get_credit_card_balance(access_token='tok', card_id='c1')")).toBe('{"card_balance": 800.0}');
    expect(t.run("get_credit_card_balance(access_token='tok', card_id='c9')")).toBe(`{"error": "Card not registered. Here are a list of card_id's: ['c1', 'c2']"}`);
  });

  it('budget limits gate bookings and insurance', () => {
    const t = travel();
    expect(t.run("set_budget_limit(access_token='tok', budget_limit=5000)")).toBe('{"budget_limit": 5000.0}');
    expect(t.run("book_flight(access_token='tok', card_id='c1', travel_date='2026-05-04', travel_from='SFO', travel_to='LAX', travel_class='economy')")).toBe(
      '{"booking_status": false, "error": "Balance is less than budget limit"}',
    );
    expect(t.run("purchase_insurance(access_token='tok', insurance_type='full', booking_id='b1', insurance_cost=6000.0, card_id='c1')")).toBe('{"insurance_status": false, "error": "Exceeded budget limit"}');
    expect(t.run("purchase_insurance(access_token='tok', insurance_type='full', booking_id='zz', insurance_cost=60.0, card_id='c1')")).toBe('{"insurance_status": false, "error": "Booking not found"}');
    expect(t.run("purchase_insurance(access_token='tok', insurance_type='full', booking_id='b1', insurance_cost=60.0, card_id='zz')")).toBe('{"insurance_status": false, "error": "Credit card not registered"}');
    expect(t.run("purchase_insurance(access_token='tok', insurance_type='full', booking_id='b1', insurance_cost=60.0, card_id='c1')")).toBe('{"insurance_id": "255316027", "insurance_status": true}');
  });

  it('invoices, history, cancellation and support', () => {
    const t = travel();
    expect(t.run("retrieve_invoice(access_token='tok', booking_id='b1')")).toBe(
      '{"invoice": {"booking_id": "b1", "travel_date": "2026-01-02", "travel_from": "SFO", "travel_to": "LAX", "travel_class": "economy", "travel_cost": 200.0, "transaction_id": "t1"}}',
    );
    expect(t.run("retrieve_invoice(access_token='tok')")).toBe('{"error": "Booking not found"}');
    expect(t.run("contact_customer_support(booking_id='b1', message='hi')")).toBe(
      '{"customer_support_message": "Thank you for contacting customer support. Your message has been received and we will get back to you shortly."}',
    );
    expect(t.run("contact_customer_support(booking_id='zz', message='hi')")).toBe('{"error": "Booking not found"}');
    expect(t.run("cancel_booking(access_token='tok', booking_id='zz')")).toBe('{"cancel_status": false, "error": "Booking not found"}');
    expect(t.run("cancel_booking(access_token='tok', booking_id='b1')")).toBe('{"cancel_status": true}');
    expect(t.run("get_booking_history(access_token='tok')")).toBe('{"booking_history": {}}');
    expect(t.run("get_credit_card_balance(access_token='tok', card_id='c1')")).toBe('{"card_balance": 1200.0}');
    expect(t.run('get_all_credit_cards()')).toContain('"c2": {"card_type": "Visa", "expiry_date": "2030"}');
  });

  it('exchange rates, airports and traveler checks', () => {
    const t = travel();
    expect(t.run("compute_exchange_rate(base_currency='USD', target_currency='RMB', value=100)")).toBe('{"exchanged_value": 700.0}');
    expect(t.run("compute_exchange_rate(base_currency='GBP', target_currency='USD', value=100)")).toBe('{"exchanged_value": 142.86}');
    expect(t.run("compute_exchange_rate(base_currency='EUR', target_currency='GBP', value=1)")).toBe('Error during execution: No available exchange rate for the given currencies.');
    expect(t.run("get_nearest_airport_by_city(location='Tokyo')")).toBe('{"nearest_airport": "HND"}');
    expect(t.run("get_nearest_airport_by_city(location='Atlantis')")).toBe('{"nearest_airport": "Unknown"}');
    expect(t.run('list_all_airports()')).toBe("['RMS', 'SBK', 'MPC', 'SVP', 'SHD', 'CDG', 'LHR', 'SSV', 'OKD', 'WLB', 'PEK', 'HND', 'HKG', 'CIA', 'CRH', 'ATV', 'PHV', 'GFD', 'SFO', 'LAX', 'JFK', 'ORD', 'BOS']");
    const verify = (args: string) => t.run(`verify_traveler_information(${args})`);
    expect(verify("first_name='Ann', last_name='Park', date_of_birth='1990-01-01', passport_number='US1'")).toBe(
      '{"verification_status": false, "verification_failure": "Cannot book flight information for another user.Expected Lee Park, got Ann Park"}',
    );
    expect(verify("first_name='Lee', last_name='Park', date_of_birth='01-01-1990', passport_number='US1'")).toBe('{"verification_status": false, "verification_failure": "Invalid date of birth format. Please use YYYY-MM-DD."}');
    expect(verify(`first_name='Lee', last_name='Park', date_of_birth='${new Date().getFullYear() - 10}-01-01', passport_number='US1'`)).toBe(
      '{"verification_status": false, "verification_failure": "Traveler must be at least 18 years old."}',
    );
    expect(verify("first_name='Lee', last_name='Park', date_of_birth='1990-01-01', passport_number='P1'")).toBe('{"verification_status": false, "verification_failure": "Passport must be issued by the United States."}');
    expect(verify("first_name='Lee', last_name='Park', date_of_birth='1990-01-01', passport_number='US1'")).toBe('{"verification_status": true}');
  });
});
