"""`make setup`, `make status` and `make unschedule`: a person's own pair, set up once, run nightly.

Pure parts (validate, schedule, estimate, status_view) are separate from the parts that ask,
run the connectors, sign in with Google or install the schedule (prompts, wizard, connectors,
google, scheduler).
"""
