"""economics.test: every cost and carbon figure of Inputs/economics.zoo against its formula."""
import json
import sys

d = json.load(open(sys.argv[1]))
sc = {s["name"]: s for s in d["scenarios"]}
sv = {s["name"]: s for s in d["serving"]}


def v(r, k):
    return r[k]["value"]


def close(a, b):
    return abs(a - b) <= 1e-9 * max(abs(a), abs(b))


def say(name, metric, ok):
    print(name, metric, "ok" if ok else "MISMATCH")


G_PER_J = 400 / 3.6e6  # 400 gCO2e/kWh
PUE = 1.25

t = sc["Tokens_Rent"]
r = t["results"]
rate = 60 / 8 / 3600  # USD a second a device, one-year term
tokens = t["batch"] * t["output"]
say("Tokens_Rent", "cost_per_million_output_tokens",
    close(v(r, "cost_per_million_output_tokens"),
          rate * t["devices"] * v(r, "generation_time") / tokens * 1e6))
say("Tokens_Rent", "carbon_per_token",
    close(v(r, "carbon_per_token"),
          700 * t["devices"] * v(r, "decode_time") / t["batch"] * PUE * G_PER_J))

i = sc["Images_Own"]
r = i["results"]
rate = (140160 / 8 / (4 * 8760) + 0.4 * PUE * 0.10) / 3600  # purchase + TDP energy
say("Images_Own", "cost_per_thousand_images",
    close(v(r, "cost_per_thousand_images"), rate * v(r, "batch_time") / i["batch"] * 1000))
say("Images_Own", "carbon_per_image",
    close(v(r, "carbon_per_image"), 400 * v(r, "batch_time") / i["batch"] * PUE * G_PER_J))

o = sv["Owned_3y"]["results"]
print("Owned_3y fleet_tco %d capital %d energy %d" %
      (round(v(o, "fleet_tco")), round(v(o, "fleet_capital")), round(v(o, "fleet_energy_cost"))))
say("Owned_3y", "cost_per_million_output_tokens",
    close(v(o, "cost_per_million_output_tokens"),
          v(o, "cost_per_hour") / v(o, "output_tokens_per_s") * 1e6))
say("Owned_3y", "energy_per_output_token",
    close(v(o, "energy_per_output_token"), 1000 * 2 * PUE / v(o, "output_tokens_per_s")))

s = sv["Rent_3y"]
o = s["results"]
print("Rent_3y fleet_tco %d term %s %g" % (round(v(o, "fleet_tco")), s["term"],
                                           s["tco_period_years"]))
say("Rent_3y", "energy_per_output_token",
    close(v(o, "energy_per_output_token"), 700 * 2 * PUE / v(o, "output_tokens_per_s")))
