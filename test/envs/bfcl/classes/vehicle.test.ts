import { describe, expect, it } from 'vitest';
import { backend } from '../helpers.js';

const SCENARIO = `{
  "fuelLevel": 10.0, "batteryVoltage": 12.6, "engineState": "stopped",
  "doorStatus": {"driver": "unlocked", "passenger": "locked", "rear_left": "unlocked", "rear_right": "locked"},
  "remainingUnlockedDoors": 4,
  "acTemperature": 25.0, "fanSpeed": 50, "acMode": "auto", "humidityLevel": 50.0, "headLightStatus": "off",
  "parkingBrakeStatus": "released", "parkingBrakeForce": 0.0, "slopeAngle": 0.0, "distanceToNextVehicle": 50.0,
  "cruiseStatus": "inactive", "destination": "None",
  "frontLeftTirePressure": 32.0, "frontRightTirePressure": 32.0, "rearLeftTirePressure": 30.0, "rearRightTirePressure": 30.0
}`;

const car = () => backend('VehicleControlAPI', SCENARIO);

describe('VehicleControlAPI', () => {
  it('recomputes remainingUnlockedDoors from the doors', () => {
    expect(car().state('remainingUnlockedDoors')).toBe('2');
  });

  it('startEngine checks doors, brake, force and mode in order', () => {
    const c = car();
    expect(c.run("startEngine(ignitionMode='START')")).toBe('{"error": "All doors must be locked before starting the engine. Here are the unlocked doors: driver, rear_left"}');
    expect(c.run("lockDoors(unlock=False, door=['driver', 'rear_left'])")).toBe('{"lockStatus": "locked", "remainingUnlockedDoors": 0}');
    expect(c.run("startEngine(ignitionMode='START')")).toBe('{"error": "Brake pedal needs to be pressed when starting the engine."}');
    expect(c.run('pressBrakePedal(pedalPosition=0.5)')).toBe('{"brakePedalStatus": "pressed", "brakePedalForce": 500.0}');
    expect(c.run("startEngine(ignitionMode='START')")).toBe('{"error": "Must press the brake fully before starting the engine."}');
    c.run('pressBrakePedal(pedalPosition=1)');
    expect(c.run("startEngine(ignitionMode='STOP')")).toBe('{"error": "Invalid ignition mode."}');
    expect(c.run("startEngine(ignitionMode='START')")).toBe('{"engineState": "running", "fuelLevel": 10.0, "batteryVoltage": 12.6}');
    expect(c.state('engine_state')).toBe("'running'");
  });

  it('lockDoors skips doors already in place and raises KeyError for unknown ones', () => {
    const c = car();
    expect(c.run("lockDoors(unlock=True, door=['passenger', 'driver'])")).toBe('{"lockStatus": "unlocked", "remainingUnlockedDoors": 3}');
    expect(c.run("lockDoors(unlock=False, door=['driver', 'trunk'])")).toBe("Error during execution: 'trunk'");
    expect(c.state('remainingUnlockedDoors')).toBe('2');
  });

  it('fuel: fill, limits, conversions, feasibility', () => {
    const c = car();
    expect(c.run('fillFuelTank(fuelAmount=-1)')).toBe('{"error": "Fuel amount cannot be negative."}');
    expect(c.run('fillFuelTank(fuelAmount=41)')).toBe('{"error": "Cannot fill gas above the tank capacity."}');
    expect(c.run('fillFuelTank(fuelAmount=40)')).toBe('{"fuelLevel": 50.0}');
    expect(c.run('estimate_drive_feasibility_by_mileage(distance=1000.0)')).toBe('{"canDrive": true}');
    expect(c.run('estimate_drive_feasibility_by_mileage(distance=1001)')).toBe('{"canDrive": false}');
    expect(c.run('liter_to_gallon(liter=20)')).toBe('{"gallon": 5.283440000000001}');
    expect(c.run('gallon_to_liter(gallon=30.0)')).toBe('{"liter": 113.56230000000001}');
  });

  it('climate, headlights, parking brake and status display', () => {
    const c = car();
    expect(c.run("adjustClimateControl(temperature=75, unit='fahrenheit', fanSpeed=20, mode='cool')")).toBe('{"currentACTemperature": 75, "climateMode": "cool", "humidityLevel": 50.0}');
    expect(c.run("displayCarStatus(option='climate')")).toBe('{"currentACTemperature": 23.88888888888889, "fanSpeed": 20, "climateMode": "cool", "humidityLevel": 50.0}');
    expect(c.run('adjustClimateControl(temperature=20, fanSpeed=101)')).toBe('{"error": "Fan speed must be between 0 and 100."}');
    expect(c.run("setHeadlights(mode='auto')")).toBe('{"headlightStatus": "off"}');
    expect(c.run("setHeadlights(mode='on')")).toBe('{"headlightStatus": "on"}');
    expect(c.run("setHeadlights(mode='bright')")).toBe('{"error": "Invalid headlight mode."}');
    expect(c.run("activateParkingBrake(mode='engage')")).toBe('{"parkingBrakeStatus": "engaged", "_parkingBrakeForce": 500.0, "_slopeAngle": 10.0}');
    expect(c.run("activateParkingBrake(mode='hold')")).toBe('{"error": "Invalid mode"}');
    expect(c.run("displayCarStatus(option='parkingBrake')")).toBe('{"parkingBrakeStatus": "engaged", "parkingBrakeForce": 500.0, "slopeAngle": 10.0}');
    expect(c.run("displayCarStatus('doors')")).toBe('{"doorStatus": {"driver": "unlocked", "passenger": "locked", "rear_left": "unlocked", "rear_right": "locked"}}');
    expect(c.run("displayCarStatus(option='wings')")).toBe('{"error": "Invalid option"}');
    expect(c.run('releaseBrakePedal()')).toBe('{"brakePedalStatus": "released", "brakePedalForce": 0.0}');
    expect(c.run('pressBrakePedal(pedalPosition=1.5)')).toBe('{"error": "Pedal position must be between 0 and 1."}');
  });

  it('cruise control needs a running engine and stores the distance before checking the speed', () => {
    const c = car();
    expect(c.run('setCruiseControl(speed=60, activate=True, distanceToNextVehicle=80)')).toBe('{"error": "Start the engine before activating the cruise control."}');
    const running = backend('VehicleControlAPI', SCENARIO.replace('"engineState": "stopped"', '"engineState": "running"'));
    expect(running.run('setCruiseControl(speed=62, activate=True, distanceToNextVehicle=80)')).toBe('{"error": "Invalid speed"}');
    expect(running.state('distanceToNextVehicle')).toBe('80.0');
    expect(running.run('setCruiseControl(speed=65, activate=True, distanceToNextVehicle=100)')).toBe('{"cruiseStatus": "active", "currentSpeed": 65.0, "distanceToNextVehicle": 100.0}');
    expect(running.run('setCruiseControl(speed=65, activate=False, distanceToNextVehicle=90)')).toBe('{"cruiseStatus": "inactive", "currentSpeed": 65.0, "distanceToNextVehicle": 90.0}');
  });

  it('random readings come from the seeded RNG', () => {
    expect(car().run('get_outside_temperature_from_google()')).toBe('{"outsideTemperature": 36.63485703790535}');
    expect(car().run('get_outside_temperature_from_weather_com()')).toBe('{"error": 404}');
    const c = car();
    c.run('get_outside_temperature_from_google()');
    expect(c.run('get_current_speed()')).toBe('{"currentSpeed": 99.11925428879405}');
  });

  it('navigation and the distance table', () => {
    const c = car();
    expect(c.run("get_zipcode_based_on_city(city='Autumnville')")).toBe('{"zipcode": "51479"}');
    expect(c.run("get_zipcode_based_on_city(city='Nowhere')")).toBe('{"zipcode": "00000"}');
    expect(c.run("estimate_distance(cityA='74532', cityB='83214')")).toBe('{"distance": 750.0}');
    expect(c.run("estimate_distance(cityA='00000', cityB='83214')")).toBe('{"error": "distance not found in database."}');
    expect(c.run("set_navigation(destination='1 Main St')")).toBe('{"status": "Navigating to 1 Main St"}');
    expect(c.state('destination')).toBe("'1 Main St'");
    expect(c.run("display_log(messages=['a', 'b'])")).toBe('{"log": ["a", "b"]}');
    expect(c.run('check_tire_pressure()')).toBe(
      '{"frontLeftTirePressure": 32.0, "frontRightTirePressure": 32.0, "rearLeftTirePressure": 30.0, "rearRightTirePressure": 30.0, "healthy_tire_pressure": true, "car_info": {}}',
    );
    expect(c.run('find_nearest_tire_shop()')).toBe('{"shopLocation": "456 Oakwood Avenue, Rivermist, 83214"}');
  });
});
