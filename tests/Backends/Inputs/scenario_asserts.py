"""Writes a C++ file of static_asserts: the generated header's `scenarios[]` holds what
`zooc --emit=json` gives for the same input.

scenario_asserts.py JSON METRICS_DEF HEADER NAMESPACE > check.cpp: for each scenario of the JSON
document, in order, its name, model, hardware, runtime, point and precisions, and every metric of
ScenarioMetrics.def, expected and ideal, under the member name the header documents (the unit
last: `_s`, `_tokens_per_s`, `_bytes`, `_joules`, `_usd`, `_gco2e`, `_flop_per_byte`, `max_context_tokens`; the ideal
figure `ideal_` before it). A metric the scenario lacks must be -1 (`Bound::none` for a bound).
Reals compare exactly: both sides are the shortest spelling of the same double.
"""
import json
import re
import sys

doc = json.load(open(sys.argv[1], encoding="utf-8"))
metrics = re.findall(r'^SCENARIO_METRIC\((\w+), "([^"]+)"', open(sys.argv[2]).read(), re.M)
header, ns = sys.argv[3], sys.argv[4]

UNITS = {"s": "_s", "tokens/s": "_tokens_per_s", "bytes": "_bytes", "J": "_joules",
         "USD": "_usd", "gCO2e": "_gco2e", "FLOP/bytes": "_flop_per_byte"}


def member(name, kind):
    unit = UNITS.get(kind, "_tokens" if name == "max_context" else "")
    if unit and not name.endswith(unit) and name != unit[1:]:
        return name + unit
    return name


def cpp(value, kind):
    if value is None:
        return "r::Bound::none" if kind == "bound" else "-1"
    if isinstance(value, dict):
        value = value["value"]
    if kind == "bound":
        return "r::Bound::" + value
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, float):
        return repr(value)
    return str(value)


def string(s):
    return json.dumps(s)


out = [f'#include "{header}"', f"namespace r = {ns};",
       "constexpr bool same(const char *a, const char *b) {",
       "  while (*a != '\\0' && *a == *b) { ++a; ++b; }",
       "  return *a == *b;", "}",
       f"static_assert(r::scenario_count == {len(doc['scenarios'])}, \"count\");"]
checks = 0
for i, s in enumerate(doc["scenarios"]):
    x = f"r::scenarios[{i}]"
    runtime = s["runtime"] or ""
    out.append(f'static_assert(same({x}.name, {string(s["name"])}) && '
               f'r::find_scenario({string(s["name"])}) == &{x}, "{s["name"]}");')
    for field, value in (("model", s["model"]), ("hardware", s["hardware"]), ("runtime", runtime),
                         ("weights", s["weights"]), ("kv", s["kv"]),
                         ("activations", s["activations"]), ("compute", s["compute"])):
        out.append(f'static_assert(same({x}.{field}, {string(value)}), "{s["name"]} {field}");')
    for field, value in (("batch", s["batch"]), ("prompt_tokens", s["prompt"]),
                         ("output_tokens", s["output"]),
                         ("context_tokens", s["prompt"] + s["output"]),
                         ("devices", s["devices"])):
        out.append(f'static_assert({x}.{field} == {value}, "{s["name"]} {field}");')
    for name, kind in metrics:
        m = member(name, kind)
        for prefix, results in (("", s["results"]), ("ideal_", s["ideal"])):
            want = cpp(results.get(name), kind)
            out.append(f'static_assert({x}.{prefix}{m} == {want}, "{s["name"]} {prefix}{m}");')
            checks += 1
out.append("int main() {}")
print("\n".join(out))
print(f"// {len(doc['scenarios'])} scenarios, {checks} figures", file=sys.stderr)
