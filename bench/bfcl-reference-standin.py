# A lower-bound stand-in for BFCL's Python multi-turn grading cost, to compare with the
# `checkerOnly` figure of bench/bfcl.bench.mjs (bfcl_eval itself is not installable here).
# Usage: python3 bench/bfcl-reference-standin.py ../shared/data/bfcl
# Per entry, as the reference checker does for the model and ground-truth sides: deep-copy each
# class's config (and a default state), build the method table with inspect.getmembers per executed
# step, rewrite each call string with a regex and eval() it, json.dumps the result, and compare
# public attributes after every non-empty turn. Backend methods are stubs, so real methods only add.
import copy, inspect, json, re, sys, time
data = sys.argv[1]
questions = [json.loads(l) for l in open(f'{data}/BFCL_v4_multi_turn_base.json')]
answers = {d['id']: d['ground_truth'] for d in (json.loads(l) for l in open(f'{data}/possible_answer/BFCL_v4_multi_turn_base.json'))}
docs = {}
files = {'GorillaFileSystem': 'gorilla_file_system', 'MathAPI': 'math_api', 'MessageAPI': 'message_api', 'TwitterAPI': 'posting_api', 'TicketAPI': 'ticket_api', 'TradingBot': 'trading_bot', 'TravelAPI': 'travel_booking', 'VehicleControlAPI': 'vehicle_control'}
for cls, f in files.items():
    docs[cls] = [json.loads(l)['name'] for l in open(f'{data}/multi_turn_func_doc/{f}.json')]

def make_class(name, methods):
    def load(self, scenario, long_context=False):
        default = copy.deepcopy(scenario)  # stands in for deepcopy(DEFAULT_STATE)
        for k, v in scenario.items(): setattr(self, k, v)
        self.long_context = long_context
    ns = {'_load_scenario': load}
    for m in methods:
        ns[m] = lambda self, *a, **k: {'result': 'ok', 'args': list(k.values())}
    return type(name, (), ns)
classes = {c: make_class(c, ms) for c, ms in docs.items()}
PATTERN = re.compile(r'\b([a-zA-Z_]\w*)\s*(?=\()')

def execute(calls, instances):
    table = {}
    for name, inst in instances.items():
        for m, _ in inspect.getmembers(inst, predicate=inspect.ismethod):
            if not m.startswith('_'): table[m] = name
    out = []
    for call in calls:
        rewritten = PATTERN.sub(lambda mt: f'instances[{table[mt.group(1)]!r}].{mt.group(1)}' if mt.group(1) in table else mt.group(1), call)
        try:
            r = eval(rewritten)
        except Exception as e:
            r = f'Error during execution: {e}'
        out.append(json.dumps(r) if isinstance(r, dict) else str(r))
    return out

def grade(entry):
    sides = []
    for _ in range(2):
        inst = {}
        for c in entry['involved_classes']:
            obj = classes[c]()
            if c != 'MathAPI': obj._load_scenario(copy.deepcopy(entry['initial_config'].get(c, {})))
            inst[c] = obj
        sides.append(inst)
    model, gt = sides
    all_results = []
    for turn in answers[entry['id']]:
        all_results += execute(turn, model)
        expected = execute(turn, gt)
        if not turn: continue
        for c in entry['involved_classes']:
            for k, v in vars(gt[c]).items():
                if not k.startswith('_') and getattr(model[c], k) != v: return False
        pool = list(all_results)
        for r in expected:
            if r in pool: pool.remove(r)
            else: return False
    return True

for e in questions: assert grade(e)
start = time.perf_counter(); passes = 0
while time.perf_counter() - start < 4:
    for e in questions: grade(e)
    passes += 1
elapsed = time.perf_counter() - start
print(json.dumps({'standIn': 'lower bound of BFCL grading cost', 'python': sys.version.split()[0], 'entriesPerSecond': round(passes * len(questions) / elapsed)}))
