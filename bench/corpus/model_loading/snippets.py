# Annotated in semgrep style. A notebook-like fragment: the modules were imported elsewhere.
from helpers import *  # noqa: F403

# ruleid: AIS101
state = pickle.loads(blob)
# ruleid: AIS105
cfg = yaml.load(text)
# ok: AIS101
out = pickle.dumps(state)
