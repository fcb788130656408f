"""Checks tests/Serving/iteration-budget.test's relations on zooc's JSON."""
import json
import sys

doc = json.load(open(sys.argv[1]))
runs = {s["name"]: s["results"] for s in doc["serving"]}
whole, split = runs["Budget_Whole"]["mean_batch"], runs["Budget_Split"]["mean_batch"]
print("whole prompts: mean batch at most 5:", 0 < whole <= 5)
print("split prompts: mean batch above 7, at most 8:", 7 < split <= 8)
print("a budget that holds every prompt: mean batch 16:", runs["Budget_Wide"]["mean_batch"] == 16)
print("a record's own chunked_prefill acts as the runtime's:",
      runs["Budget_Own"] == runs["Budget_Whole"])
