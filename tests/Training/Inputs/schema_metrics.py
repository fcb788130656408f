"""Prints whether docs/zoo.schema.json lists every training metric of TrainingMetrics.def, in
order, for results, the ideal bound and measurements. Usage: schema_metrics.py SCHEMA DEF."""
import json
import re
import sys

schema = json.load(open(sys.argv[1]))
names = re.findall(r"^TRAINING_METRIC\((\w+),", open(sys.argv[2]).read(), re.M)
t = schema["$defs"]["training"]["properties"]
lists = [t["results"]["propertyNames"]["enum"], t["ideal"]["propertyNames"]["enum"],
         t["measured"]["items"]["properties"]["metric"]["enum"]]
print("schema:", "same" if all(x == names for x in lists) else "differs", len(names))
