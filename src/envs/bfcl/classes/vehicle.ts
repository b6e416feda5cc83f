import { pyEquals } from '../python/equals.js';
import { add, ge, gt, le, lt, mul, sub, sum, toFloat, truediv } from '../python/numbers.js';
import { PyRandom } from '../../python-random.js';
import { deepCopy, dict, float, isDict, PyException, pyTypeName, toKey, truthy, type PyDict, type PyValue } from '../python/values.js';
import { asList, contains, defineBackend, failure, field, getItem } from './base.js';
import type { LongContextFiller } from '../long-context.js';

/** VehicleControlAPI (BFCL `vehicle_control.py`): a car's engine, doors, brakes, climate and navigation. */

const DEFAULT_SEED = 141053;
const MAX_FUEL = 50;
const MILES_PER_GALLON = 20;
const DOORS = ['driver', 'passenger', 'rear_left', 'rear_right'];

// zip-code pairs (either order) -> miles, from BFCL's vehicle_control.py (Apache-2.0)
const DISTANCES: ReadonlyArray<readonly [string, string, number]> = [
  ['83214', '74532', 750],
  ['56108', '62947', 320],
  ['71354', '83462', 450],
  ['47329', '52013', 290],
  ['69238', '51479', 630],
  ['94016', '83214', 980],
  ['94016', '94704', 600],
  ['94704', '08540', 2550],
  ['94016', '08540', 1950],
  ['62947', '47329', 1053],
  ['94016', '62947', 780],
  ['74532', '94016', 880],
];

const ZIP_CODES: PyDict = dict({
  Rivermist: '83214',
  Stonebrook: '74532',
  Maplecrest: '56108',
  Silverpine: '62947',
  Shadowridge: '71354',
  'Sunset Valley': '83462',
  Oakendale: '47329',
  Willowbend: '52013',
  'Crescent Hollow': '69238',
  Autumnville: '51479',
  'San Francisco': '94016',
});

export class VehicleControlAPI {
  fuelLevel: PyValue = float(0);
  batteryVoltage: PyValue = float(12.6);
  engineState: PyValue = 'stopped';
  remainingUnlockedDoors: PyValue = 4;
  doorStatus: PyValue = new Map();
  acTemperature: PyValue = float(25);
  fanSpeed: PyValue = 50;
  acMode: PyValue = 'auto';
  humidityLevel: PyValue = float(50);
  headLightStatus: PyValue = 'off';
  parkingBrakeStatus: PyValue = 'released';
  brakePedalStatus: PyValue = 'released';
  distanceToNextVehicle: PyValue = float(50);
  cruiseStatus: PyValue = 'inactive';
  destination: PyValue = 'None';
  frontLeftTirePressure: PyValue = float(32);
  frontRightTirePressure: PyValue = float(32);
  rearLeftTirePressure: PyValue = float(30);
  rearRightTirePressure: PyValue = float(30);
  longContext = false;
  filler: LongContextFiller | undefined;
  // private in Python (`_`-prefixed), so never compared by the checker
  parkingBrakeForce: PyValue = float(0);
  slopeAngle: PyValue = float(0);
  brakePedalForce: PyValue = float(0);
  random = new PyRandom(DEFAULT_SEED);
}

function doors(car: VehicleControlAPI): PyDict {
  if (!isDict(car.doorStatus)) throw new PyException('TypeError', `'${pyTypeName(car.doorStatus)}' object is not subscriptable`);
  return car.doorStatus;
}

/** The result dict, starting with the long-context filler entry when there is one. */
function withFiller(car: VehicleControlAPI, key: string, filler: (f: LongContextFiller) => PyValue, fields: Record<string, PyValue>): PyDict {
  const result: PyDict = car.filler ? new Map([[key, filler(car.filler)]]) : new Map();
  for (const [name, value] of Object.entries(fields)) result.set(name, value);
  return result;
}

function inRange(value: PyValue, low: number, high: number): boolean {
  return le(low, value) && le(value, high);
}

export const vehicleControlApi = defineBackend<VehicleControlAPI>({
  name: 'VehicleControlAPI',
  docFile: 'vehicle_control',
  create(scenario, context) {
    const car = new VehicleControlAPI();
    car.random = new PyRandom(Number(field(scenario, 'random_seed', DEFAULT_SEED)));
    car.fuelLevel = field(scenario, 'fuelLevel', float(0));
    car.batteryVoltage = field(scenario, 'batteryVoltage', float(12.6));
    car.engineState = field(scenario, 'engineState', 'stopped');
    car.doorStatus = field(scenario, 'doorStatus', dict(Object.fromEntries(DOORS.map((door) => [door, 'unlocked']))));
    // recomputed from the doors; the config's value is ignored
    car.remainingUnlockedDoors = 4 - [...doors(car).values()].filter((status) => status === 'locked').length;
    car.acTemperature = field(scenario, 'acTemperature', float(25));
    car.fanSpeed = field(scenario, 'fanSpeed', 50);
    car.acMode = field(scenario, 'acMode', 'auto');
    car.humidityLevel = field(scenario, 'humidityLevel', float(50));
    car.headLightStatus = field(scenario, 'headLightStatus', 'off');
    car.parkingBrakeStatus = field(scenario, 'parkingBrakeStatus', 'released');
    car.parkingBrakeForce = field(scenario, 'parkingBrakeForce', float(0));
    car.slopeAngle = field(scenario, 'slopeAngle', float(0));
    car.brakePedalStatus = field(scenario, 'brakePedalStatus', 'released');
    car.brakePedalForce = field(scenario, 'brakePedalForce', float(0));
    car.distanceToNextVehicle = field(scenario, 'distanceToNextVehicle', float(50));
    car.cruiseStatus = field(scenario, 'cruiseStatus', 'inactive');
    car.destination = field(scenario, 'destination', 'None');
    car.frontLeftTirePressure = field(scenario, 'frontLeftTirePressure', float(32));
    car.frontRightTirePressure = field(scenario, 'frontRightTirePressure', float(32));
    car.rearLeftTirePressure = field(scenario, 'rearLeftTirePressure', float(30));
    car.rearRightTirePressure = field(scenario, 'rearRightTirePressure', float(30));
    car.filler = context.longContext;
    car.longContext = car.filler !== undefined;
    return car;
  },
  publicState: (car) => [
    ['fuelLevel', car.fuelLevel],
    ['batteryVoltage', car.batteryVoltage],
    ['engine_state', car.engineState],
    ['remainingUnlockedDoors', car.remainingUnlockedDoors],
    ['doorStatus', car.doorStatus],
    ['acTemperature', car.acTemperature],
    ['fanSpeed', car.fanSpeed],
    ['acMode', car.acMode],
    ['humidityLevel', car.humidityLevel],
    ['headLightStatus', car.headLightStatus],
    ['parkingBrakeStatus', car.parkingBrakeStatus],
    ['brakePedalStatus', car.brakePedalStatus],
    ['distanceToNextVehicle', car.distanceToNextVehicle],
    ['cruiseStatus', car.cruiseStatus],
    ['destination', car.destination],
    ['frontLeftTirePressure', car.frontLeftTirePressure],
    ['frontRightTirePressure', car.frontRightTirePressure],
    ['rearLeftTirePressure', car.rearLeftTirePressure],
    ['rearRightTirePressure', car.rearRightTirePressure],
    ['long_context', car.longContext],
  ],
  methods: {
    startEngine: {
      params: ['ignitionMode'],
      run(car, { ignitionMode }) {
        if (ignitionMode === 'STOP') car.engineState = 'stopped';
        const unlocked = [...doors(car)].filter(([, status]) => status === 'unlocked').map(([door]) => String(door));
        if (unlocked.length > 0) return failure(`All doors must be locked before starting the engine. Here are the unlocked doors: ${unlocked.join(', ')}`);
        if (car.brakePedalStatus !== 'pressed') return failure('Brake pedal needs to be pressed when starting the engine.');
        if (!pyEquals(car.brakePedalForce, float(1000))) return failure('Must press the brake fully before starting the engine.');
        if (lt(car.fuelLevel, 0)) return failure('Fuel tank is empty.');
        if (ignitionMode !== 'START') return failure('Invalid ignition mode.');
        car.engineState = 'running';
        return dict({ engineState: car.engineState, fuelLevel: car.fuelLevel, batteryVoltage: car.batteryVoltage });
      },
    },
    fillFuelTank: {
      params: ['fuelAmount'],
      run(car, { fuelAmount }) {
        if (lt(fuelAmount!, 0)) return failure('Fuel amount cannot be negative.');
        const total = add(fuelAmount!, car.fuelLevel);
        if (gt(total, MAX_FUEL)) return failure('Cannot fill gas above the tank capacity.');
        if (lt(total, 0)) return failure('Fuel tank is empty. Min fuel level is 0 gallons.');
        car.fuelLevel = add(car.fuelLevel, fuelAmount!);
        return dict({ fuelLevel: car.fuelLevel });
      },
    },
    lockDoors: {
      params: ['unlock', 'door'],
      run(car, { unlock, door }) {
        const target = truthy(unlock!) ? 'unlocked' : 'locked';
        for (const name of asList(door!)) {
          if (getItem(doors(car), name) === target) continue;
          doors(car).set(toKey(name), target);
          car.remainingUnlockedDoors = add(car.remainingUnlockedDoors, target === 'unlocked' ? 1 : -1);
        }
        return dict({ lockStatus: target, remainingUnlockedDoors: car.remainingUnlockedDoors });
      },
    },
    adjustClimateControl: {
      params: ['temperature', ['unit', 'celsius'], ['fanSpeed', 50], ['mode', 'auto']],
      run(car, { temperature, unit, fanSpeed, mode }) {
        if (!inRange(fanSpeed!, 0, 100)) return failure('Fan speed must be between 0 and 100.');
        car.acTemperature = temperature!;
        if (unit === 'fahrenheit') car.acTemperature = truediv(mul(sub(temperature!, 32), 5), 9);
        car.fanSpeed = fanSpeed!;
        car.acMode = mode!;
        return dict({ currentACTemperature: temperature!, climateMode: mode!, humidityLevel: car.humidityLevel });
      },
    },
    get_outside_temperature_from_google: {
      params: [],
      run(car) {
        const temperature = float(car.random.uniform(-10, 40));
        if (!car.filler) return dict({ outsideTemperature: temperature });
        const weather: PyDict = deepCopy(car.filler.longWeatherExtension);
        weather.set('outsideTemperature', temperature);
        return weather;
      },
    },
    get_outside_temperature_from_weather_com: {
      params: [],
      run: () => dict({ error: 404 }),
    },
    setHeadlights: {
      params: ['mode'],
      run(car, { mode }) {
        if (!contains(['on', 'off', 'auto'], mode!)) return failure('Invalid headlight mode.');
        car.headLightStatus = mode === 'on' ? 'on' : 'off';
        return dict({ headlightStatus: car.headLightStatus });
      },
    },
    displayCarStatus: {
      params: ['option'],
      run(car, { option }) {
        const status: PyDict = car.filler ? new Map([['metadata', car.filler.carStatusMetadataExtension]]) : new Map();
        const put = (fields: Record<string, PyValue>) => {
          for (const [key, value] of Object.entries(fields)) status.set(key, value);
        };
        switch (option) {
          case 'fuel':
            put({ fuelLevel: car.fuelLevel });
            break;
          case 'battery':
            put({ batteryVoltage: car.batteryVoltage });
            break;
          case 'doors':
            put({ doorStatus: car.doorStatus });
            break;
          case 'climate':
            put({ currentACTemperature: car.acTemperature, fanSpeed: car.fanSpeed, climateMode: car.acMode, humidityLevel: car.humidityLevel });
            break;
          case 'headlights':
            put({ headlightStatus: car.headLightStatus });
            break;
          case 'parkingBrake':
            put({ parkingBrakeStatus: car.parkingBrakeStatus, parkingBrakeForce: car.parkingBrakeForce, slopeAngle: car.slopeAngle });
            break;
          case 'brakePedal':
            put({ brakePedalStatus: car.brakePedalStatus, brakePedalForce: car.brakePedalForce });
            break;
          case 'engine':
            put({ engineState: car.engineState });
            break;
          default:
            put({ error: 'Invalid option' });
        }
        return status;
      },
    },
    activateParkingBrake: {
      params: ['mode'],
      run(car, { mode }) {
        if (!contains(['engage', 'release'], mode!)) return failure('Invalid mode');
        const engage = mode === 'engage';
        car.parkingBrakeStatus = engage ? 'engaged' : 'released';
        car.parkingBrakeForce = float(engage ? 500 : 0);
        car.slopeAngle = float(10);
        return withFiller(car, 'parkingBrakeInstruction', (f) => f.parkingBrakeInstruction, {
          parkingBrakeStatus: car.parkingBrakeStatus,
          _parkingBrakeForce: car.parkingBrakeForce,
          _slopeAngle: car.slopeAngle,
        });
      },
    },
    pressBrakePedal: {
      params: ['pedalPosition'],
      run(car, { pedalPosition }) {
        if (!inRange(pedalPosition!, 0, 1)) return failure('Pedal position must be between 0 and 1.');
        if (pyEquals(pedalPosition!, 0)) {
          car.brakePedalStatus = 'released';
          car.brakePedalForce = float(0);
          return dict({ brakePedalStatus: 'released', brakePedalForce: float(0) });
        }
        const force = mul(pedalPosition!, 1000);
        car.brakePedalStatus = 'pressed';
        car.brakePedalForce = force;
        return dict({ brakePedalStatus: 'pressed', brakePedalForce: toFloat(force) });
      },
    },
    releaseBrakePedal: {
      params: [],
      run(car) {
        car.brakePedalStatus = 'released';
        car.brakePedalForce = float(0);
        return dict({ brakePedalStatus: 'released', brakePedalForce: float(0) });
      },
    },
    setCruiseControl: {
      params: ['speed', 'activate', 'distanceToNextVehicle'],
      run(car, { speed, activate, distanceToNextVehicle }) {
        const speedFloat = toFloat(speed!);
        const distance = toFloat(distanceToNextVehicle!);
        if (car.engineState === 'stopped') return failure('Start the engine before activating the cruise control.');
        car.distanceToNextVehicle = distance;
        if (truthy(activate!)) {
          const value = speedFloat.value;
          // the distance is stored before the speed is checked, as upstream does
          if (value < 0 || value > 120 || value % 5 !== 0) return failure('Invalid speed');
          car.cruiseStatus = 'active';
        } else car.cruiseStatus = 'inactive';
        return dict({ cruiseStatus: car.cruiseStatus, currentSpeed: speedFloat, distanceToNextVehicle: distance });
      },
    },
    get_current_speed: {
      params: [],
      run: (car) => dict({ currentSpeed: float(car.random.uniform(0, 120)) }),
    },
    display_log: {
      params: ['messages'],
      run: (_, { messages }) => dict({ log: messages! }),
    },
    estimate_drive_feasibility_by_mileage: {
      params: ['distance'],
      run: (car, { distance }) => dict({ canDrive: ge(mul(car.fuelLevel, MILES_PER_GALLON), distance!) }),
    },
    liter_to_gallon: {
      params: ['liter'],
      run: (_, { liter }) => dict({ gallon: mul(liter!, float(0.264172)) }),
    },
    gallon_to_liter: {
      params: ['gallon'],
      run: (_, { gallon }) => dict({ liter: mul(gallon!, float(3.78541)) }),
    },
    estimate_distance: {
      params: ['cityA', 'cityB'],
      run(car, { cityA, cityB }) {
        const found = DISTANCES.find(([a, b]) => (pyEquals(cityA!, a) && pyEquals(cityB!, b)) || (pyEquals(cityA!, b) && pyEquals(cityB!, a)));
        const result = found ? dict({ distance: float(found[2]) }) : failure('distance not found in database.');
        if (car.filler) result.set('intermediaryCities', [...car.filler.intermediaryCities]);
        return result;
      },
    },
    get_zipcode_based_on_city: {
      params: ['city'],
      run: (_, { city }) => dict({ zipcode: contains(ZIP_CODES, city!) ? getItem(ZIP_CODES, city!) : '00000' }),
    },
    set_navigation: {
      params: ['destination'],
      run(car, { destination }) {
        car.destination = destination!;
        return dict({ status: add('Navigating to ', destination!) });
      },
    },
    check_tire_pressure: {
      params: [],
      run(car) {
        const pressures = [car.frontLeftTirePressure, car.frontRightTirePressure, car.rearLeftTirePressure, car.rearRightTirePressure];
        const mean = truediv(sum(pressures), 4);
        return dict({
          frontLeftTirePressure: car.frontLeftTirePressure,
          frontRightTirePressure: car.frontRightTirePressure,
          rearLeftTirePressure: car.rearLeftTirePressure,
          rearRightTirePressure: car.rearRightTirePressure,
          healthy_tire_pressure: inRange(mean, 30, 35),
          car_info: car.filler ? car.filler.carStatusMetadataExtension : new Map(),
        });
      },
    },
    find_nearest_tire_shop: {
      params: [],
      run: () => dict({ shopLocation: '456 Oakwood Avenue, Rivermist, 83214' }),
    },
  },
});
