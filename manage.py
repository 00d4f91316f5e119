#!/usr/bin/env python
"""Django's manage.py, the same as the `kontora` command."""

from kontora.cli import main

if __name__ == "__main__":
    main()
