"""`make setup`, `make schedule`, `make status` and `make unschedule`: a person's own pair, set up
once, run nightly (`make try` rehearses it against the emulators: tools/try_setup.py).

Pure parts (validate, answers, schedule, estimate, status_view) are separate from the parts that
ask, run the connectors, sign in with Google or install the schedule (prompts, wizard, connectors,
google, google_step, scheduler, schedule_step). tools/BEHAVIOR.md says what they rely on.
"""
