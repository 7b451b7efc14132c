// The conversation mode's demo tools, executed in the page: a weather lookup with canned data
// and a calculator (its own small parser: the CSP allows no eval, and model output is untrusted).
// Each is {description, parameters (JSON Schema), execute(args, {signal})}: the shape of the
// package's `tools` option, whose loop runs them. `execute` returns the result text or throws:
// the loop sends the error back to the model as an error result. The local provider's scripted
// model fills arguments from the schema (a string's `default` when there is one), so it asks for
// Paris and "2 * (3 + 4)".

const WEATHER = {
  paris: { city: 'Paris', temperature_c: 18, conditions: 'light rain' },
  london: { city: 'London', temperature_c: 14, conditions: 'overcast' },
  tokyo: { city: 'Tokyo', temperature_c: 23, conditions: 'clear' },
  'new york': { city: 'New York', temperature_c: 21, conditions: 'sunny' },
  'são paulo': { city: 'São Paulo', temperature_c: 27, conditions: 'thunderstorms' },
  zürich: { city: 'Zürich', temperature_c: 11, conditions: 'fog' },
};

export const DEMO_TOOLS = {
  get_weather: {
    description: 'The current weather in a city (demo: canned data for a few cities).',
    parameters: {
      type: 'object',
      properties: { city: { type: 'string', description: 'The city, e.g. Paris' } },
      required: ['city'],
      additionalProperties: false,
    },
    execute({ city }) {
      const found = WEATHER[String(city ?? '').trim().toLowerCase()];
      if (!found) {
        const known = Object.values(WEATHER).map((w) => w.city).join(', ');
        throw new Error(`no weather data for '${city}' (the demo knows ${known})`);
      }
      return JSON.stringify(found);
    },
  },
  calculator: {
    description: 'Evaluates an arithmetic expression: + - * / % ^, parentheses, decimals.',
    parameters: {
      type: 'object',
      properties: {
        expression: { type: 'string', description: 'e.g. 2 * (3 + 4)', default: '2 * (3 + 4)' },
      },
      required: ['expression'],
      additionalProperties: false,
    },
    execute({ expression }) {
      return String(evaluate(String(expression ?? '')));
    },
  },
};

/**
 * The tools of one turn: those named, in the package's `tools` shape. `failing`: the tool the
 * page's "Make a tool fail" setting names, which throws as if its service were down (the
 * package's loop sends a throw back to the model as an error result).
 */
export function demoTools(names, { failing } = {}) {
  return Object.fromEntries(names.map((name) => {
    const tool = DEMO_TOOLS[name];
    if (name !== failing) return [name, tool];
    const fail = () => {
      throw new Error(`${name} is unavailable (demo failure, "Make a tool fail")`);
    };
    return [name, { ...tool, execute: fail }];
  }));
}

/** Evaluates an arithmetic expression (recursive descent; throws on anything else). */
export function evaluate(text) {
  const tokens = text.match(/\d+(?:\.\d+)?|\.\d+|[-+*/%^()]|\S/g) ?? [];
  let i = 0;
  const peek = () => tokens[i];
  const fail = (why) => {
    throw new Error(`cannot evaluate '${text}': ${why}`);
  };
  const primary = () => {
    const t = tokens[i++];
    if (t === undefined) fail('it ends too early');
    if (t === '(') {
      const v = sum();
      if (tokens[i++] !== ')') fail("a ')' is missing");
      return v;
    }
    if (t === '-') return -power();
    if (t === '+') return power();
    if (/^[\d.]/.test(t)) return Number(t);
    return fail(`unexpected '${t}'`);
  };
  const power = () => {
    const base = primary();
    if (peek() !== '^') return base;
    i++;
    return base ** power();
  };
  const product = () => {
    let v = power();
    while (['*', '/', '%'].includes(peek())) {
      const op = tokens[i++];
      const r = power();
      if (op !== '*' && r === 0) fail('division by zero');
      v = op === '*' ? v * r : op === '/' ? v / r : v % r;
    }
    return v;
  };
  function sum() {
    let v = product();
    while (peek() === '+' || peek() === '-') v = tokens[i++] === '+' ? v + product() : v - product();
    return v;
  }
  if (tokens.length === 0) fail('it is empty');
  const value = sum();
  if (i < tokens.length) fail(`unexpected '${tokens[i]}'`);
  if (!Number.isFinite(value)) fail('the result is not finite');
  return Math.round(value * 1e12) / 1e12;
}
