"""Write the model files of examples/vulnerable_app (they are generated, never committed).

    python examples/make_models.py [FOLDER]     # default: examples/vulnerable_app/models

- `ranker.pt`: a malicious pickle, as an attacker would upload it. Its payload is harmless: it
  calls `os.getpid()` when unpickled. aisec reports it (AIS401) without ever loading it.
- `encoder.safetensors`: a safetensors file (a JSON header and raw tensor bytes, no pickle),
  the safe look-alike.

The bytes are written by hand; nothing here unpickles, imports torch or runs model code.
"""

from __future__ import annotations

import json
import struct
import sys
from pathlib import Path

DEFAULT = Path(__file__).resolve().parent / "vulnerable_app" / "models"

# Protocol-0 pickle: GLOBAL os.getpid, an empty argument tuple, REDUCE (call it), STOP.
MALICIOUS_PICKLE = b"cos\ngetpid\n(tR."


def safetensors_bytes() -> bytes:
    """A valid safetensors file holding one float32 tensor [1.0, 2.0]."""
    data = struct.pack("<2f", 1.0, 2.0)
    header = {"weight": {"dtype": "F32", "shape": [2], "data_offsets": [0, len(data)]}}
    encoded = json.dumps(header, separators=(",", ":")).encode()
    encoded += b" " * (-len(encoded) % 8)  # the header is padded to 8 bytes
    return struct.pack("<Q", len(encoded)) + encoded + data


def main(argv: list[str]) -> int:
    folder = Path(argv[0]) if argv else DEFAULT
    folder.mkdir(parents=True, exist_ok=True)
    (folder / "ranker.pt").write_bytes(MALICIOUS_PICKLE)
    (folder / "encoder.safetensors").write_bytes(safetensors_bytes())
    print(
        f"wrote {folder / 'ranker.pt'} (malicious pickle, harmless payload) and {folder / 'encoder.safetensors'}"
    )
    return 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
