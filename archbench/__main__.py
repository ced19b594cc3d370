"""`python -m archbench`: the `archbench` command, for an environment whose scripts
directory is not on PATH (or to be sure which Python runs it)."""

from harness.cli import main

if __name__ == "__main__":
    main()
