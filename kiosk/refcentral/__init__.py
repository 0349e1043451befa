"""A small, real reference implementation of the central system (docs/reference-central.md).

The kiosk's sync and uploader are tested against it over loopback sockets, and `make demo` runs it
beside the kiosk. It follows central-api.md and can be told to fail in each way the contract
warns about (`Faults`). Standard library only, so it runs wherever the kiosk's tests run.
"""

from .faults import Faults
from .server import CentralServer, RequestRecord

__all__ = ["CentralServer", "Faults", "RequestRecord"]
