"""Settings shared by pixiconf's own tests.

Hypothesis runs derandomized, without a deadline and without an example database: the suite
runs in random order on two workers of a loaded two-core machine, and a property must give the
same verdict on every run (a deadline would turn machine load into failures).
"""

from hypothesis import settings

settings.register_profile("pixiconf", deadline=None, derandomize=True, database=None)
settings.load_profile("pixiconf")
