/**
 * WebShop benchmark: steps/s with the webshop-rule agent, search latency, index build time, and memory
 * per live instance, on the built-in catalogue and on a 100,000-product synthetic catalogue made here.
 * Prints one JSON object. Run after `npm run build`: node bench/webshop.bench.mjs
 */
import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';
import { webshopEnvironment } from '../dist/envs/builtins.js';
import { WebshopEnvironment } from '../dist/envs/webshop/index.js';
import { Catalogue, productFromRecord } from '../dist/envs/webshop/catalogue.js';
import { buildSearchIndex } from '../dist/envs/webshop/environment.js';
import { searchKeywords } from '../dist/envs/webshop/agents.js';
import { seededRandom } from '../dist/seeded-random.js';

setFlagsFromString('--expose-gc');
const gc = runInNewContext('gc');

const SYNTHETIC_PRODUCTS = 100_000;
const SECONDS_PER_STEP_RUN = 4;
const LIVE_INSTANCES = 5_000;


/** A 100k-product catalogue with Zipf-distributed words from a 20,000-word vocabulary, and 1,000 goals. */
function syntheticShop(count) {
  const random = seededRandom(7);
  const syllables = ['ka', 'lo', 'mi', 'ne', 'ru', 'sa', 'ti', 'vo', 'ze', 'pa', 'qui', 'bre', 'dan', 'fol', 'gri', 'hum'];
  const vocabulary = Array.from({ length: 20_000 }, (_, i) => {
    let word = '';
    for (let n = i + 1; n > 0; n = Math.floor(n / syllables.length)) word += syllables[n % syllables.length];
    return word;
  });
  const cumulative = new Float64Array(vocabulary.length);
  let total = 0;
  for (let i = 0; i < vocabulary.length; i += 1) cumulative[i] = total += 1 / (i + 1);
  const word = () => {
    const target = random() * total;
    let low = 0;
    let high = cumulative.length - 1;
    while (low < high) {
      const middle = (low + high) >>> 1;
      if (cumulative[middle] < target) low = middle + 1;
      else high = middle;
    }
    return vocabulary[low];
  };
  const words = (n) => Array.from({ length: n }, word).join(' ');
  const colours = ['black', 'white', 'navy blue', 'dark brown', 'light grey', 'red', 'green stripe'];
  const sizes = ['small', 'medium', 'large', 'x-large', '8 oz', '16 oz (pack of 2)'];
  const products = [];
  for (let i = 0; i < count; i += 1) {
    const price = 5 + random() * 200;
    products.push(
      productFromRecord(
        {
          asin: `B${i.toString(36).toUpperCase().padStart(9, '0')}`,
          name: words(10),
          full_description: words(50),
          small_description: [words(12), words(12)],
          pricing: random() < 0.2 ? `$${price.toFixed(2)} - $${(price * 1.5).toFixed(2)}` : `$${price.toFixed(2)}`,
          customization_options: {
            Color: colours.filter(() => random() < 0.5).map((value) => ({ value })),
            Size: sizes.filter(() => random() < 0.5).map((value) => ({ value })),
          },
          product_category: `Cat ${i % 7} \u203a Sub ${i % 31} \u203a Leaf ${i % 97}`,
          query: `query ${i % 500}`,
          category: `cat ${i % 5}`,
        },
        { attributes: [words(2), words(2), words(1)] },
      ),
    );
  }
  const goals = Array.from({ length: 1000 }, (_, k) => {
    const product = products[Math.floor(random() * count)];
    const options = product.options.map((option) => option.values[0]).filter(Boolean);
    const text = `${product.title.split(' ').slice(0, 6).join(' ')} ${product.attributes[0]}`;
    return {
      asin: product.asin,
      instruction: `i am looking for ${text}${options.length ? ` in ${options.join(', ')}` : ''}, and price lower than ${(Math.ceil(product.pricing[0] / 10) * 10 + 20).toFixed(2)} dollars`,
      attributes: [product.attributes[0]],
      goalOptions: options,
      priceUpper: Math.ceil(product.pricing[0] / 10) * 10 + 20,
      k,
    };
  });
  return { products, goals };
}

function percentile(sorted, p) {
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))];
}

function round(value, digits = 3) {
  return Number(value.toFixed(digits));
}

/** Search latency: every goal's rule-agent query, timed one by one. */
function searchLatency(env) {
  const times = [];
  for (const goal of env.goals) {
    const query = searchKeywords(goal.instruction);
    const start = process.hrtime.bigint();
    env.index.search(query, 50);
    times.push(Number(process.hrtime.bigint() - start) / 1e6);
  }
  times.sort((a, b) => a - b);
  return {
    queries: times.length,
    meanMs: round(times.reduce((sum, t) => sum + t, 0) / times.length),
    p50Ms: round(percentile(times, 50)),
    p95Ms: round(percentile(times, 95)),
    maxMs: round(times[times.length - 1]),
  };
}

/** Episodes with webshop-rule back to back for a few seconds: environment steps/s (agent time included). */
async function stepRate(env) {
  const agent = env.agents['webshop-rule'];
  const ids = env.goals.map((_, k) => `webshop_${k}`);
  const deadline = performance.now() + SECONDS_PER_STEP_RUN * 1000;
  let steps = 0;
  let episodes = 0;
  let rewardSum = 0;
  const started = performance.now();
  while (performance.now() < deadline) {
    const id = ids[episodes % ids.length];
    const instance = env.createInstance({ taskId: id, instanceId: `bench-${episodes}`, params: {} });
    const messages = [...instance.initial.state];
    for (let step = 0; step < 15; step += 1) {
      const answer = await agent({ messages, task: { dataset: 'webshop', split: 'test', id, trial: 0 }, step, signal: undefined });
      const action = typeof answer === 'string' ? { role: 'assistant', content: answer } : answer;
      messages.push(action);
      const result = instance.step(action, {});
      messages.push(...result.state);
      steps += 1;
      if (result.is_terminated) break;
    }
    rewardSum += instance.evaluate({}, { sparse: true });
    episodes += 1;
  }
  const seconds = (performance.now() - started) / 1000;
  return { stepsPerSecond: Math.round(steps / seconds), episodes, steps, meanReward: round(rewardSum / episodes) };
}

/** Heap per live instance, fresh and after a search and a click (an item page holding 50 hits). */
function memoryPerInstance(env) {
  const measure = (advance) => {
    gc();
    const before = process.memoryUsage().heapUsed;
    const live = [];
    for (let i = 0; i < LIVE_INSTANCES; i += 1) {
      const taskId = `webshop_${i % env.goals.length}`;
      const instance = env.createInstance({ taskId, instanceId: `m${i}`, params: {} });
      if (advance) {
        const results = instance.step({ role: 'assistant', content: `search[${searchKeywords(env.goals[i % env.goals.length].instruction)}]` }, {});
        const asin = results.info.available_actions.clickables.find((name) => !['back to search', 'next >', '< prev'].includes(name));
        if (asin) instance.step({ role: 'assistant', content: `click[${asin}]` }, {});
      }
      live.push(instance);
    }
    gc();
    const bytes = (process.memoryUsage().heapUsed - before) / live.length;
    live.length = 0;
    return Math.round(bytes);
  };
  return { instances: LIVE_INSTANCES, freshBytes: measure(false), onItemPageBytes: measure(true) };
}

async function benchmark(label, makeEnv) {
  gc();
  const heapBefore = process.memoryUsage().heapUsed;
  const started = performance.now();
  const { env, indexBuildMs } = await makeEnv();
  const loadMs = Math.round(performance.now() - started);
  gc();
  const sharedHeapMB = round((process.memoryUsage().heapUsed - heapBefore) / 2 ** 20, 1);
  return {
    label,
    products: env.catalogue.size,
    goals: env.goals.length,
    loadMs,
    sharedHeapMB,
    ...(indexBuildMs === undefined ? {} : { indexBuildMs }),
    search: searchLatency(env),
    steps: await stepRate(env),
    memoryPerInstance: memoryPerInstance(env),
  };
}

const builtin = await benchmark('built-in fixtures', async () => ({ env: await webshopEnvironment.load({}) }));
const synthetic = await benchmark(`synthetic ${SYNTHETIC_PRODUCTS}`, () => {
  const { products, goals } = syntheticShop(SYNTHETIC_PRODUCTS);
  const catalogue = new Catalogue({ products });
  const indexStarted = performance.now();
  const index = buildSearchIndex(catalogue);
  const indexBuildMs = Math.round(performance.now() - indexStarted);
  return { env: new WebshopEnvironment({ catalogue, goals, index }), indexBuildMs };
});

process.stdout.write(
  `${JSON.stringify({ benchmark: 'webshop', node: process.version, concurrency: 1, secondsPerStepRun: SECONDS_PER_STEP_RUN, builtin, synthetic })}\n`,
);
