"""Prints what `zooc --sweep-summary` should say of a sweep of models with an input, from the
rows of the same sweep as CSV (its header line first): per scenario the points, how many fit (or
the fewest devices any needs), the highest image rate among those that fit and the shortest
batch, each with its ideal. The rate line is left out."""
import csv
import sys

scenarios = {}
for r in csv.DictReader(open(sys.argv[1])):
    key = (r["model"], r["hardware"], r["devices"], r["runtime"], r["weights"], r["compute"])
    scenarios.setdefault(key, []).append(r)
for (model, hw, devices, runtime, weights, compute), rows in scenarios.items():
    print(f"{model}@{hw}: {model} on {devices} x {hw}, runtime {runtime or 'none'}, "
          f"weights {weights}, compute {compute}: {len(rows):,} points (batch {len(rows)} values)")
    fit = [r for r in rows if r["fits"] == "true"]
    line = f"  fit in memory: {len(fit):,}"
    if not fit:
        least = min(int(r["devices_needed"]) for r in rows if r["devices_needed"])
        line += f" (every point needs {least:,} devices or more)"
    print(line)
    if fit:
        best = max(fit, key=lambda r: float(r["images_per_s"]))  # max keeps the first of ties
        print(f"  highest image rate that fits: {float(best['images_per_s']):.4g} images/s "
              f"(ideal {float(best['ideal_images_per_s']):.4g}) at batch {int(best['batch']):,}, "
              f"{float(best['batch_time']):.4g} s a batch")
        short = min(fit, key=lambda r: float(r["batch_time"]))
        print(f"  shortest batch that fits: {float(short['batch_time']):.4g} s "
              f"(ideal {float(short['ideal_batch_time']):.4g} s) at batch {int(short['batch']):,}")
