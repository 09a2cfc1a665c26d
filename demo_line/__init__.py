"""The demo line: a loopback server speaking the Linq v3 check protocol with predictable answers."""

from .rules import demo_availability
from .server import DemoLineServer

__all__ = ["DemoLineServer", "demo_availability"]
