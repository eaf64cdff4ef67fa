"""`python -m backend serve [options]`, `python -m backend db ...`."""

import sys

from backend.cli import main

if __name__ == "__main__":
    if sys.argv[1:2] == ["db"]:
        from backend.dbcli import main as db

        sys.exit(db(sys.argv[2:]))
    sys.exit(main())
