import sys
from pathlib import Path

# Lets test modules share helpers (test_differential's ASGI runner).
sys.path.insert(0, str(Path(__file__).resolve().parent))
